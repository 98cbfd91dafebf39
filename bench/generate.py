"""Generate benchmark manuscripts in our format, the same bytes for the same seed.

Three sizes: `lesson` is a copy of the bundled manuscript; `medium` (15 chapters,
~30,000 words) and `large` (60 chapters, ~150,000 words) are generated, with a
Graphviz diagram, callouts, an exercise and answer, and a cheatsheet block per chapter.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"lesson": None, "medium": (15, 30_000), "large": (60, 150_000)}
SEED = 20261128


def word_list(text: str, separator: str = " ") -> list[str]:
    return text.split(separator)


# Words of the domain, so paragraphs hyphenate, justify and break like real prose.
NOUNS = word_list(
    "model data label metric team product user launch baseline experiment pipeline feature "
    "prediction error threshold dashboard review stakeholder roadmap budget latency cost "
    "dataset annotation consent market segment signal decision rollout monitor drift "
    "retraining incident customer workflow assumption risk policy evaluation"
)
VERBS = word_list(
    "defines measures reviews ships tracks compares explains questions improves limits "
    "changes reduces documents predicts tests validates monitors prioritises checks"
)
ADJECTIVES = word_list(
    "offline online careful costly small noisy fresh stale fair clear explicit hidden "
    "reliable probabilistic useful early late shared"
)
TOPICS = word_list(
    "Framing the problem|Finding the data|Labelling at scale|Choosing a metric|"
    "Building a baseline|Training the first model|Offline evaluation|Online experiments|"
    "Shipping safely|Watching for drift|Handling incidents|Retraining|Explaining predictions|"
    "Fairness reviews|Cost and latency|Working with legal|Roadmaps for ML|Team rituals",
    "|",
)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the"]
    words += [rng.choice(ADJECTIVES + NOUNS) for _ in range(rng.randint(6, 16))]
    words.append(rng.choice(NOUNS))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(sentence(rng))
    return " ".join(sentences)


def diagram(index: int, rng: random.Random) -> str:
    stages = rng.sample(NOUNS, 5)
    edges = "\n".join(f"  {a} -> {b};" for a, b in itertools.pairwise(stages))
    return f"digraph chapter{index:02d} {{\n  rankdir=LR;\n  node [shape=box];\n{edges}\n}}\n"


def chapter(index: int, words: int, rng: random.Random) -> str:
    """One chapter of about `words` words: sections, a list, a figure, boxes."""
    title = TOPICS[(index - 1) % len(TOPICS)]
    figure = f"ch{index:02d}"
    parts = [
        f"# Chapter {index}: {title}\n",
        paragraph(rng, 80) + f" The stages are shown in @fig:{figure}.\n",
        f"![How {title.lower()} flows.](diagrams/{figure}.dot)"
        f'{{#fig:{figure} alt="Five boxes in a row, each feeding the next."}}\n',
    ]
    sections = max(2, words // 450)
    per_section = (words - 300) // sections
    for number in range(1, sections + 1):
        parts.append(f"## {title}, part {number}\n")
        for _ in range(max(1, round(per_section / 100))):
            parts.append(paragraph(rng, 100) + "\n")
        if number == 1:
            parts.append("".join(f"- {sentence(rng)}\n" for _ in range(4)))
    parts.append(f"::: why-it-matters\n{paragraph(rng, 40)}\n:::\n")
    parts.append(f"::: exercise\n{paragraph(rng, 30)}\n:::\n")
    parts.append(f"::: answer\n{paragraph(rng, 50)}\n:::\n")
    points = "".join(f"- **Ask:** {sentence(rng)}\n" for _ in range(3))
    parts.append(f'::: {{.cheatsheet title="{title}"}}\n{points}:::\n')
    return "\n".join(parts)


def book_yaml(name: str, chapters: int) -> str:
    listed = "".join(f"  - chapters/{i:02d}.md\n" for i in range(1, chapters + 1))
    return f"""title: Benchmark Book ({name})
subtitle: A generated manuscript for timing the build
course: Working With ML Teams
slug: bench-{name}
authors:
  - The Publish Team
language: en-US
publisher: Publish Press
date: 2026-11-28
rights: "Copyright 2026 The Publish Team. All rights reserved."
description: A generated book used to benchmark publish against pandoc and WeasyPrint.
subjects:
  - Benchmarks
identifiers:
  full: urn:uuid:0b3c7d0e-1111-4a2b-9c3d-{chapters:012d}
  sample: urn:uuid:0b3c7d0e-2222-4a2b-9c3d-{chapters:012d}
paper: a4
chapters:
{listed}sample:
  reading_minutes: 10
  call_to_action:
    text: Get the full book.
    url: https://example.com/bench
cheatsheets:
  - name: bench-cheatsheet
    title: "Benchmark cheatsheet"
    chapters: [chapters/01.md]
templates:
  - templates/problem-definition-canvas.md
  - templates/launch-checklist.md
"""


def generate(size: str, target: Path, seed: int = SEED) -> Path:
    """Write the manuscript of `size` into `target/manuscript` (replacing it)."""
    manuscript = target / "manuscript"
    if manuscript.exists():
        shutil.rmtree(manuscript)
    if SIZES[size] is None:
        shutil.copytree(REPO / "manuscript", manuscript)
        return target
    chapters, words = SIZES[size]
    rng = random.Random(f"{seed}-{size}")
    (manuscript / "chapters").mkdir(parents=True)
    (manuscript / "diagrams").mkdir()
    shutil.copytree(REPO / "manuscript" / "templates", manuscript / "templates")
    (manuscript / "book.yaml").write_text(book_yaml(size, chapters), encoding="utf-8")
    for index in range(1, chapters + 1):
        text = chapter(index, words // chapters, rng)
        (manuscript / "chapters" / f"{index:02d}.md").write_text(text, encoding="utf-8")
        (manuscript / "diagrams" / f"ch{index:02d}.dot").write_text(diagram(index, rng))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    generate(args.size, args.target, args.seed)


if __name__ == "__main__":
    main()
