"""Every finding's stable code: what it means and how to fix it.

Authors and tools rely on these codes; the README's table is generated from
this module and a test keeps the two equal.
"""

from __future__ import annotations

from .codes_bounds import BOUNDS_CODES, BOUNDS_FIXES
from .release_codes import RELEASE_CODES, RELEASE_FIXES
from .store_rules import STORE_CODES, STORE_FIXES

KNOWN_DIVS = {
    "why-it-matters",
    "exercise",
    "answer",
    "cheatsheet",
    "longdesc",
    "callout",
    "call-to-action",
    "field",
}

# GitHub's alert types (`> [!NOTE]`) and the label each box prints unless book.yaml
# `labels:` gives another under the same key.
ALERTS = {
    "note": "Note",
    "tip": "Tip",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
}

SECURITY_CODES = {
    "SEC001": "raw HTML that could run code or pull content in (script, iframe, object, ...)",
    "SEC002": "raw HTML outside the allowlist (kbd, sup, sub, br, details, figure, img ...)",
    "SEC003": "an event-handler attribute (onclick=...)",
    "SEC004": "a link or source uses a scheme other than https, http, mailto or internal",
    "SEC005": "rel=attachment would embed a file in the PDF",
    "SEC006": "a file the build would read lies outside the project",
    "SEC007": "a remote resource, fetched only with --allow-remote",
    "SEC008": "a stylesheet construct the build cannot package (@import, local())",
    "SEC009": "a remote resource could not be downloaded",
    "SEC010": "a Graphviz attribute that reads files (image, shapefile, fontpath, ...)",
    "SEC011": "an attribute outside the inline-HTML allowlist (class, style, id ...)",
    "SEC012": "an SVG construct that fetches, links or rewrites the file (an animated link, "
    "xml-stylesheet, a DTD subset, nested data other than PNG or JPEG, xml:base)",
    "SEC013": "an SVG element or attribute a book does not draw: dropped",
    "SEC014": "an invisible control character or a Unicode non-character in the text",
    "SEC015": "a file the build made is not well-formed or holds markup outside the allowlist",
    "IMG005": "an image written as a reference ![alt][ref]; write ![alt](path)",
}

SECURITY_FIXES = {
    "SEC001": "remove it: books run no scripts and embed nothing from outside",
    "SEC002": "write it in Markdown: \\ line break, ^sup^, ~sub~, [Ctrl]{.kbd}, ::: fenced divs",
    "SEC003": "remove the attribute: books run no scripts",
    "SEC004": "links may use https:, http:, mailto: or point inside the book (#id)",
    "SEC005": "link to the file on the web instead",
    "SEC006": "copy the file into the project and use a relative path",
    "SEC007": "copy it into the project, or build with --allow-remote to download images once",
    "SEC008": "paste imported rules into styles/custom.css; ship fonts in styles/fonts/",
    "SEC009": "check the URL, or copy the image into manuscript/",
    "SEC010": "draw the diagram with nodes and edges only",
    "SEC011": "mark it up with {#id .class} and style .class in styles/custom.css",
    "SEC012": "save the drawing as a plain SVG (Inkscape: Plain SVG; Illustrator: SVG 1.1, "
    "no scripts or links)",
    "SEC013": "delete it, or draw it with basic SVG 1.1 shapes, text and gradients",
    "SEC014": "delete the character (it prints as nothing or as a box); use a space or a "
    "line break",
    "SEC015": "report the message: the input that caused it is named; remove it to build",
    "IMG005": "write ![alt](path) so the build can check the file",
}

INCLUDE_CODES = {
    "INC001": "an include cycle: a part includes itself, directly or through others",
    "INC002": "an included file does not exist",
    "INC003": "an included file lies outside the project",
    "INC004": "an include's lines= range is not within the file",
    "INC005": "an include names a region the file does not mark",
    "INC006": "an include block is malformed (never closed, lines= and region= both, too large)",
    "INC007": "mdBook's {{#include}}: read, but GitHub shows it as text",
}

INCLUDE_FIXES = {
    "INC001": "include each part from one place only",
    "INC002": "check the spelling; paths are relative to the chapter's folder, then manuscript/",
    "INC003": "copy the file into the project and use a relative path",
    "INC004": 'give a range like lines="3-10" inside the file',
    "INC005": "mark the region with ANCHOR: name and ANCHOR_END: name comment lines",
    "INC006": 'close it: a fence {include="FILE"} and its closing fence, or ::: and :::',
    "INC007": 'write a code fence with {include="FILE" lines="3-10"} and an empty body instead',
}

STAMP_CODES = {
    "STM001": "a buyer's name, e-mail or order id is empty",
    "STM002": "a buyer's name, e-mail or order id is over 300 characters",
    "STM003": "a buyer's text holds a control or format character (bidi override, zero width)",
    "STM004": "the buyer's e-mail address is not one",
    "STM005": "the order id is not letters, digits, '.', '_' and '-' (up to 128)",
    "STM006": "the sale's date is not YYYY-MM-DD",
    "STM007": "the edition is not for sale, or the build has no full edition",
    "STM008": "the build has no readable build/manifest.json",
    "STM009": "a master file is missing or differs from build/manifest.json",
    "STM010": "a file to identify cannot be read",
    "STM011": "a file carries no stamp: no fingerprint, no stamp metadata",
    "STM012": "a buyer's name or e-mail has a letter the PDF footer's fonts cannot draw",
}

STAMP_FIXES = {
    "STM001": "give the buyer's name, e-mail and the order id",
    "STM002": "shorten it; a storefront keeps names and addresses under 300 characters",
    "STM003": "remove the character; names are printed as typed, without control codes",
    "STM004": "give one address like name@example.com, without a display name",
    "STM005": "use the storefront's transaction id, e.g. A-1001",
    "STM006": "give the sale's date, e.g. --date 2026-11-28",
    "STM007": "stamp the full edition: `publish build` (all editions), then `publish stamp`",
    "STM008": "run `publish build` first, and give its output folder",
    "STM009": "build again: the masters must be the files the manifest lists",
    "STM010": "check the path",
    "STM011": "give a copy made by `publish stamp` (the master and the sample carry none)",
    "STM012": "give the name in Latin, Greek or Cyrillic letters as the storefront has it",
}

CODES = {
    "CFG000": "book.yaml is missing",
    "CFG001": "unknown key in book.yaml",
    "CFG002": "a value in book.yaml has the wrong type",
    "CFG003": "a required key is missing from book.yaml",
    "CFG004": "book.yaml is not valid YAML",
    "CFG005": "a value in book.yaml is not allowed",
    "MS001": "a file named by the manuscript does not exist",
    "MS002": "a file is not UTF-8 text",
    "MS003": "front matter is not valid YAML",
    "MS004": "unknown or invalid front matter key",
    "MS005": "a chapter has no level-1 heading at its top, or more than one",
    "MS006": "a heading level is skipped",
    "MS007": "a fenced div is not closed, or closes nothing",
    "MS008": "a fenced div has an unknown class",
    "MS009": "a heading sits inside a fenced div",
    "MS010": "a `> [!TYPE]` alert of a type GitHub does not have",
    "IMG001": "an image file does not exist",
    "IMG002": "an image type is not supported",
    "IMG003": "an image has no text alternative: its [brackets] and alt= are both empty",
    "IMG004": "an image lies outside the project",
    "REF001": "a cross-reference names an unknown figure",
    "REF002": "an internal link names an unknown id, or a .md file that is no chapter",
    "REF003": "an answer has no exercise before it",
    "DIA001": "Graphviz cannot read a diagram",
    "CFG006": "a cheatsheet names a chapter the book does not list",
    "CFG007": "a placeholder from `publish init` is still in book.yaml",
    "REN001": "pandoc warned while rendering a chapter",
    "PAN901": "a reference link names another chapter's heading: each chapter is rendered "
    "on its own, so it stays text",
    "REN002": "WeasyPrint warned while making the PDF (CSS it ignored, a font it could not load)",
    "CHS001": "a cheatsheet has no cheatsheet blocks to gather",
    "MTH001": "TeX math that pandoc cannot convert to MathML or the PDF cannot draw",
    "IMG006": "the cover image is small for storefronts",
    "IMG007": "an image is over 4 megapixels, which Apple Books refuses",
    "CVR001": "the cover's proportions are far from the stores' (1.6 or 1.5 times as tall as wide)",
    "FNT001": "a character that no font of the theme or styles/fonts/ has",
    "TAG001": "a PDF is not what PDF/UA-1 asks, so it does not claim PDF/UA (it stays tagged)",
    "PRN001": "a raster image prints under 300 dpi in the print PDF",
    **SECURITY_CODES,
    **INCLUDE_CODES,
    **STORE_CODES,
    **RELEASE_CODES,
    **STAMP_CODES,
    **BOUNDS_CODES,
}

# How to fix each finding: the hint shown when a finding carries none of its own,
# and the "fix" column of the codes table in README.md.
FIXES = {
    "CFG000": "run the command in the project folder, or `publish init DIR` to start a book",
    "CFG001": "remove the key or fix its spelling; `publish check` lists the known keys",
    "CFG002": "give the value the type the key needs: text, number, list or mapping",
    "CFG003": "add the key; README.md describes every key",
    "CFG004": "check the indentation and quoting on this line and the one above",
    "CFG005": "use one of the allowed values the message names",
    "CFG006": "list the chapter under `chapters:` too, or fix the file name",
    "CFG007": "replace the CHANGE ME value with your own",
    "MS001": "check the spelling; paths are relative to manuscript/",
    "MS002": "save the file as UTF-8",
    "MS003": "front matter is YAML between two '---' lines at the top of the file",
    "MS004": "known keys: title, sample (in or out), author, date, description; remove others",
    "MS005": "start the file with '# Title' and use '##' below it",
    "MS006": "go down one heading level at a time",
    "MS007": "every '::: class' line needs a matching ':::' line",
    "MS008": "use a known class: " + ", ".join(sorted(KNOWN_DIVS)),
    "MS009": "close the div before the heading",
    "MS010": "use [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]",
    "IMG001": "check the spelling; paths are relative to the chapter's folder, then manuscript/",
    "IMG002": "use SVG, PNG, JPEG, or a Graphviz .dot file",
    "IMG003": "say what the image shows between its brackets: ![what it shows](file)",
    "IMG004": "copy the image into manuscript/ and use a relative path",
    "REF001": "give the figure this id: ![Caption](file){#fig:name}",
    "REF002": "link a chapter file or a heading's id: its {#id}, or the id pandoc derives",
    "REF003": "put the ::: answer block right after its ::: exercise block",
    "DIA001": "fix the DOT syntax on that line; `dot -Tsvg FILE` shows the same error",
    "REN001": "fix the Markdown pandoc names; the message says what it did instead",
    "PAN901": "link the heading with its file and id: [Evaluation](05-evaluation.md#evaluation)",
    "REN002": "fix or remove the CSS rule; WeasyPrint skips what it cannot use",
    "CHS001": 'add a ::: {.cheatsheet title="..."} block to a chapter the cheatsheet gathers',
    "MTH001": "write LaTeX math mode as pandoc reads it (`\\frac`, `\\sum`, "
    "`\\begin{aligned}`); a literal dollar sign is `\\$`",
    "IMG007": "scale the image down (2000 x 2000 px is plenty for a full-page figure)",
    "IMG006": "give a cover at least 1600 px on its long side; 1600 x 2560 px suits most stores",
    "CVR001": "give 1600 x 2560 px, width by height; Kobo also takes 1600 x 2400",
    "PRN001": "give the image more pixels, or let it print smaller (e.g. a width in its "
    "attributes)",
    "FNT001": "write it another way, or add a font that has it to styles/fonts/ with an "
    "@font-face rule in styles/custom.css",
    "TAG001": "content in margin boxes or drawn outside the text (custom.css) is a likely "
    "cause; give every image alt text and every form field a label",
    **SECURITY_FIXES,
    **INCLUDE_FIXES,
    **STORE_FIXES,
    **RELEASE_FIXES,
    **STAMP_FIXES,
    **BOUNDS_FIXES,
}
