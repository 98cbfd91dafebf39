"""Page fill: a figure that does not fit at the foot of a page moves on to the next one,
leaving a gap behind it. When that gap is more than a third of the page, the figure is
set after the paragraph that follows it (as printed books float figures) or, with no
paragraph to pass before the next heading, drawn smaller to fit the gap (never under
60% of its size); then the book is laid out again."""

from __future__ import annotations

from dataclasses import dataclass

# The emptiest a page may be left above a figure pushed to the next one.
MOST_GAP = 1 / 3
# Layouts in all: the first, then at most two with figures moved or scaled.
FIGURE_PASSES = 3
# What a figure may move past: running text, not a heading or another figure.
PASSABLE = {"p", "ul", "ol", "dl", "blockquote"}
FIGURE_ATTRIBUTE = "data-figure"
SMALLEST_SCALE = 0.6
# CSS pixels kept free under a scaled figure, for rounding in the next layout.
SLACK = 6.0


@dataclass
class FigurePlan:
    """Where a figure goes: `steps` blocks later, its image at most `max_height` px."""

    steps: int = 0
    max_height: float | None = None


def mark_figures(element, chapter_ident: str) -> None:
    """Name each figure of a chapter, so a layout can say which ones it pushed."""
    for number, figure in enumerate(element.iter("figure"), 1):
        figure.set(FIGURE_ATTRIBUTE, f"{chapter_ident}-{number}")


def place_figures(element, plans: dict[str, FigurePlan]) -> None:
    """Apply each figure's plan: moved past paragraphs or lists, or its image capped."""
    for figure in list(element.iter("figure")):
        plan = plans.get(figure.get(FIGURE_ATTRIBUTE, ""))
        if plan is None:
            continue
        if plan.max_height is not None:
            for image in figure.iter("img"):
                image.set("style", f"max-height: {plan.max_height:.1f}px")
        target = figure
        for _ in range(plan.steps):
            target = target.getnext() if _passable(target.getnext()) else target
        if target is not figure:
            _move_after(figure, target)


def movable_in(chapters):
    """`movable(name, steps)` for `lay_out_filled`: whether the named figure, among
    `chapters` ((ident, element) pairs), has `steps` paragraphs or lists after it."""
    figures = {
        f"{ident}-{number}": figure
        for ident, element in chapters
        for number, figure in enumerate(element.iter("figure"), 1)
    }
    return movable_among(figures)


def marked_figures(root) -> dict:
    """The figures `mark_figures` named in a document, by name."""
    return {f.get(FIGURE_ATTRIBUTE): f for f in root.iter("figure") if f.get(FIGURE_ATTRIBUTE)}


def movable_among(figures: dict):
    """`movable(name, steps)` over `figures` (name -> element), as `movable_in` says."""

    def movable(name: str, steps: int) -> bool:
        target = figures.get(name)
        for _ in range(steps):
            target = target.getnext() if target is not None else None
            if not _passable(target):
                return False
        return True

    return movable


def _passable(element) -> bool:
    return element is not None and element.tag in PASSABLE


def _move_after(figure, target) -> None:
    tail, figure.tail = figure.tail, target.tail
    previous = figure.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (tail or "")
    target.addnext(figure)


def replan(plan: FigurePlan, pushed, can_move: bool) -> bool:
    """Change a pushed figure's plan; False when nothing more can be done for it."""
    if can_move:
        plan.steps += 1
        return True
    if not pushed.image_height:
        return False
    fitted = pushed.image_height - (pushed.height - pushed.room) - SLACK
    if fitted < pushed.image_height * SMALLEST_SCALE:
        return False
    plan.max_height = fitted
    return True


def lay_out_filled(lay_out_with, movable, unsettled=None, passes: int = FIGURE_PASSES):
    """Lay out with `lay_out_with(plans)` until no figure opens a page below a gap of
    more than a third of a page and `unsettled(layout)` (another reason to lay out again,
    such as the print gutter) is false, or nothing more can be done, or the passes run
    out; the last layout is kept. `movable(name, steps)` says whether a figure has a
    paragraph to pass."""
    plans: dict[str, FigurePlan] = {}
    for _ in range(passes):
        layout = lay_out_with(plans)
        changed = bool(unsettled and unsettled(layout))
        for pushed in layout.blocks_pushed_past_gaps(FIGURE_ATTRIBUTE, MOST_GAP):
            plan = plans.setdefault(pushed.name, FigurePlan())
            changed |= replan(plan, pushed, movable(pushed.name, plan.steps + 1))
        if not changed:
            break
    return layout
