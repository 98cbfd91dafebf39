"""A light panel behind a diagram, for the EPUB copy of its SVG.

Diagrams are drawn in the theme's colours for a light page, on a transparent background.
On a night-mode page their dark edges and edge labels would vanish, and a reader's theme
may paint every element's background (so a CSS background behind the image is not
enough). A rounded rectangle drawn first inside the SVG itself goes wherever the image
goes; on a white page it is white on white, on sepia a light card.
"""

from __future__ import annotations

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
PANEL_FILL = "#ffffff"
# Corner radius, in the diagram's own units (Graphviz writes points).
PANEL_RADIUS = 8


def add_panel(svg: bytes) -> bytes:
    """The SVG with a light rounded rectangle behind everything it draws; unchanged when
    it has no viewBox to size the panel by."""
    root = etree.fromstring(svg)
    box = root.get("viewBox", "").replace(",", " ").split()
    if len(box) != 4:
        return svg
    x, y, width, height = box
    panel = etree.Element(f"{{{SVG_NS}}}rect", _panel_attributes(x, y, width, height))
    root.insert(_first_drawing_index(root), panel)
    return etree.tostring(root, encoding="utf-8")


def _panel_attributes(x: str, y: str, width: str, height: str) -> dict[str, str]:
    return {
        "class": "panel",
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "rx": str(PANEL_RADIUS),
        "fill": PANEL_FILL,
    }


def _first_drawing_index(root: etree._Element) -> int:
    """Where drawing starts: after the <title>, <desc>, <style> and <defs> (and comments)
    that lead."""
    leading = {f"{{{SVG_NS}}}{name}" for name in ("title", "desc", "style", "defs", "metadata")}
    for index, child in enumerate(root):
        if isinstance(child.tag, str) and child.tag not in leading:
            return index
    return len(root)
