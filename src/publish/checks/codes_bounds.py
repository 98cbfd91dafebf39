"""Codes for the bounds on work (LIM) and for output folders the build refuses (BLD)."""

from __future__ import annotations

BOUNDS_CODES = {
    "LIM001": "a YAML alias (*name): refused, aliases can grow a file into gigabytes",
    "LIM002": "YAML nested deeper than 64 levels",
    "LIM003": "a YAML tag outside YAML's standard ones (!python/..., !custom)",
    "LIM004": "a YAML file or front matter larger than 1 MB",
    "LIM005": "more '[' open at once in a paragraph than pandoc can read in reasonable time",
    "LIM006": "lists or block quotes nested deeper than the limit",
    "LIM007": "more headings than the limit",
    "LIM008": "a run of one punctuation character longer than the limit",
    "LIM009": "a diagram with more edges than the limit",
    "LIM010": "a tool (pandoc, Graphviz, a build worker) ran past its time limit",
    "LIM011": "a tool (pandoc, Graphviz, a build worker) ran past its memory limit",
    "LIM012": "a file name or path is too long, or holds a NUL or control character",
    "BLD001": "the output folder is a symlink that leads out of the project",
    "BLD002": "the output folder holds files that no publish build made",
    "BLD003": "the output folder cannot be written (read-only, full, name too long)",
}

BOUNDS_FIXES = {
    "LIM001": "write the value out in full where it is used",
    "LIM002": "flatten the structure",
    "LIM003": "remove the tag; book files take plain text, numbers, lists and mappings",
    "LIM004": "keep YAML files small; long text belongs in a chapter",
    "LIM005": "escape literal brackets as \\[ or put them in `code`",
    "LIM006": "flatten the nesting, or raise limits.max_nesting in book.yaml",
    "LIM007": "split the book, or raise limits.max_headings in book.yaml",
    "LIM008": "shorten the run, put it in a code block, or raise limits.max_run in book.yaml",
    "LIM009": "split the diagram, or raise limits.max_diagram_edges in book.yaml",
    "LIM010": "simplify the input, or raise limits.child_seconds (a task: limits.task_seconds)",
    "LIM011": "simplify the input named, or raise limits.child_memory_mb in book.yaml",
    "LIM012": "rename the file: a short name of letters, digits, '-', '_' and '.'",
    "BLD001": "remove the symlink, or build with --out pointing at the folder you want",
    "BLD002": "pass --out with an empty folder, or move the files away",
    "BLD003": "free space or fix the folder's permissions, or pass --out with another folder",
}
