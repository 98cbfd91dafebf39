"""The hostile corpus, round two: what reaches the book, not the text that asks for it.

SVG images that script, fetch or link through animation, CSS or nested data;
Graphviz attributes spelled the ways a line scanner misses; attributes pandoc
copies from `{key=value}`; links in templates and book.yaml; invisible control
characters. `SECRET` and `SERVER` stand for the canary file's path and the canary
server's URL, as in hostile_cases.py. A value may be bytes (written as they are).
"""

from __future__ import annotations

import base64
import io

from hostile_cases import BOOK, CHAPTER, SVG, chapter_files

XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
SVG_OPEN = f'<svg xmlns="http://www.w3.org/2000/svg" {XLINK} width="10" height="10">'
IMAGE = '![A square](p.svg){alt="A square"}\n'
DIAGRAM = '![A diagram](d.dot){alt="A diagram"}\n'
PICTURE = '![A dot](p.png){alt="A dot"'


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
PNG_DATA = "data:image/png;base64," + base64.b64encode(PNG).decode()


def svg_image(drawing: str | bytes) -> dict:
    """A chapter showing p.svg, which holds `drawing` (a whole file when it is bytes or
    starts with '<?' or '<!', else the inside of a plain <svg>)."""
    whole = isinstance(drawing, bytes) or drawing.startswith(("<?", "<!", "<svg"))
    return {**chapter_files(IMAGE), "manuscript/p.svg": drawing if whole else SVG.format(drawing)}


def dot_diagram(source: str) -> dict:
    return {**chapter_files(DIAGRAM), "manuscript/d.dot": source}


def picture(attributes: str) -> dict:
    return {**chapter_files(f"{PICTURE} {attributes}}}\n"), "manuscript/p.png": PNG}


def template(body: str) -> dict:
    return {
        "manuscript/book.yaml": BOOK + "templates:\n  - t.md\n",
        "manuscript/t.md": "---\ntitle: A form\n---\n\nOwner: ___\n\n" + body,
    }


def sample_book(text: str, url: str) -> dict:
    book = BOOK.replace(
        "  full: urn:uuid:33333333-3333-4333-8333-333333333333\n",
        "  full: urn:uuid:33333333-3333-4333-8333-333333333333\n"
        "  sample: urn:uuid:44444444-4444-4444-8444-444444444444\n",
    )
    return {
        "manuscript/book.yaml": book
        + f"sample:\n  reading_minutes: 1\n  call_to_action:\n    text: {text}\n    url: {url}\n"
    }


def utf16_svg_with_default_onload() -> bytes:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'
    )
    return text.encode("utf-16")


SVG_IN_DATA = base64.b64encode(SVG.format("<script>alert(1)</script>").encode()).decode()
SCRIPT_AS_PNG = base64.b64encode(b'<svg onload="alert(1)"/>').decode()

# (id, files, symlinks, expected 'path:line', expected code): exit 1 with that finding.
REFUSED = [
    # SVG images: animation, CSS, processing instructions, nested data, namespaces.
    (
        "svg-set-href-javascript",
        svg_image(
            '<a href="https://example.com">\n<set attributeName="href" to="javascript:alert(1)"/>'
            '\n<rect width="5" height="5"/></a>'
        ),
        {},
        "manuscript/p.svg:2",
        "SEC012",
    ),
    (
        "svg-animate-xlink-href",
        svg_image(
            f'{SVG_OPEN}\n<a xlink:href="#r">\n'
            '<animate attributeName="xlink:href" values="javascript:alert(1)" dur="1s"/>\n'
            '<rect id="r" width="5" height="5"/></a></svg>'
        ),
        {},
        "manuscript/p.svg:3",
        "SEC012",
    ),
    (
        "svg-style-import",
        svg_image(f"{SVG_OPEN}\n<style>@import url(SERVER/x.css);</style></svg>"),
        {},
        "manuscript/p.svg:2",
        "SEC007",
    ),
    (
        "svg-style-attribute-url",
        svg_image('<rect width="5" height="5" style="fill:url(SERVER/p.svg#g)"/>'),
        {},
        "manuscript/p.svg:1",
        "SEC007",
    ),
    (
        "svg-style-attribute-escaped-url",
        svg_image('<rect width="5" height="5" style="fill:u\\72l(SERVER/p.svg#g)"/>'),
        {},
        "manuscript/p.svg:1",
        "SEC007",
    ),
    (
        "svg-fill-file-url",
        svg_image(
            f'{SVG_OPEN}\n\n<rect width="5" height="5" fill="url(\'file://SECRET#g\')"/></svg>'
        ),
        {},
        "manuscript/p.svg:3",
        "SEC006",
    ),
    (
        "svg-style-image-set",
        svg_image(
            f'{SVG_OPEN}<style>\nrect {{ fill: image-set("SERVER/x.png" 1x) }}</style></svg>'
        ),
        {},
        "manuscript/p.svg:1",
        "SEC007",
    ),
    (
        "svg-xml-stylesheet",
        svg_image(
            f'<?xml version="1.0"?>\n<?xml-stylesheet href="SERVER/x.css"?>\n{SVG_OPEN}</svg>'
        ),
        {},
        "manuscript/p.svg:2",
        "SEC012",
    ),
    (
        "svg-data-svg-with-script",
        svg_image(f'<image width="5" height="5" href="data:image/svg+xml;base64,{SVG_IN_DATA}"/>'),
        {},
        "manuscript/p.svg:1",
        "SEC012",
    ),
    (
        "svg-data-html",
        svg_image(
            '<image width="5" height="5" href="data:text/html,&lt;script&gt;x&lt;/script&gt;"/>'
        ),
        {},
        "manuscript/p.svg:1",
        "SEC012",
    ),
    (
        "svg-data-png-that-is-not",
        svg_image(f'<image width="5" height="5" href="data:image/png;base64,{SCRIPT_AS_PNG}"/>'),
        {},
        "manuscript/p.svg:1",
        "SEC012",
    ),
    (
        "svg-onload-on-root",
        svg_image('<svg xmlns="http://www.w3.org/2000/svg"\n  onload="alert(1)"/>'),
        {},
        "manuscript/p.svg:2",
        "SEC003",
    ),
    (
        "svg-xhtml-script",
        svg_image(
            f'{SVG_OPEN}\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>'
        ),
        {},
        "manuscript/p.svg:2",
        "SEC001",
    ),
    (
        "svg-foreignobject-iframe",
        svg_image('<foreignObject><iframe src="SERVER/x"/></foreignObject>'),
        {},
        "manuscript/p.svg:1",
        "SEC001",
    ),
    (
        "svg-link-javascript-with-tab-entity",
        svg_image(
            f'{SVG_OPEN}\n<a xlink:href="jav&#x09;ascript:alert(1)"><text>x</text></a></svg>'
        ),
        {},
        "manuscript/p.svg:2",
        "SEC004",
    ),
    (
        "svg-use-remote-sprite",
        svg_image('<use href="SERVER/sprite.svg#a"/>'),
        {},
        "manuscript/p.svg:1",
        "SEC007",
    ),
    (
        "svg-utf16-dtd-default-onload",
        svg_image(utf16_svg_with_default_onload()),
        {},
        "manuscript/p.svg:1",
        "SEC012",
    ),
    (
        "svg-script-inside-unknown-element",
        svg_image("<meshgradient>\n<script>alert(1)</script></meshgradient>"),
        {},
        "manuscript/p.svg:2",
        "SEC001",
    ),
    (
        "svg-handler-inside-editor-element",
        svg_image('<i:pgf xmlns:i="urn:x-illustrator">\n<rect onmouseover="alert(1)"/></i:pgf>'),
        {},
        "manuscript/p.svg:2",
        "SEC003",
    ),
    (
        "svg-xml-base",
        svg_image(f'{SVG_OPEN}\n<g xml:base="SERVER/"><rect width="5" height="5"/></g></svg>'),
        {},
        "manuscript/p.svg:2",
        "SEC012",
    ),
    (
        "svg-feimage-file",
        svg_image('<filter id="f"><feImage href="file://SECRET"/></filter>'),
        {},
        "manuscript/p.svg:1",
        "SEC012",
    ),
    # Graphviz: spellings a line scanner misses, HTML labels, defaults, the theme file.
    (
        "dot-quoted-image-name",
        dot_diagram('digraph {\n  a ["image"="SECRET"]\n}\n'),
        {},
        "manuscript/d.dot:2",
        "SEC010",
    ),
    (
        "dot-image-split-over-lines",
        dot_diagram('digraph {\n  a [\n    image\n    =\n    "SECRET"\n  ]\n}\n'),
        {},
        "manuscript/d.dot:3",
        "SEC010",
    ),
    (
        "dot-name-concatenated",
        dot_diagram('digraph {\n  a ["ima" + "ge"\n  = "SECRET"]\n}\n'),
        {},
        "manuscript/d.dot:3",
        "SEC010",
    ),
    (
        "dot-quoted-url-javascript",
        dot_diagram('digraph {\n  a ["URL"="javascript:alert(1)"]\n}\n'),
        {},
        "manuscript/d.dot:2",
        "SEC004",
    ),
    (
        "dot-html-label-img",
        dot_diagram(
            'digraph {\n  a [label=<<TABLE><TR><TD><IMG SRC="SECRET"/></TD></TR></TABLE>>]\n}\n'
        ),
        {},
        "manuscript/d.dot:2",
        "SEC010",
    ),
    (
        "dot-html-label-href",
        dot_diagram(
            'digraph {\n  a [label=<<TABLE HREF="javascript:alert(1)">'
            "<TR><TD>x</TD></TR></TABLE>>]\n}\n"
        ),
        {},
        "manuscript/d.dot:2",
        "SEC004",
    ),
    (
        "dot-stylesheet",
        dot_diagram('digraph {\n  graph [stylesheet="SERVER/x.css"]\n  a\n}\n'),
        {},
        "manuscript/d.dot:2",
        "SEC010",
    ),
    (
        "dot-subgraph-default-shapefile",
        dot_diagram('digraph {\n  subgraph s {\n    node [shapefile="SECRET"]\n    a\n  }\n}\n'),
        {},
        "manuscript/d.dot:3",
        "SEC010",
    ),
    (
        "dot-edge-label-url-vbscript",
        dot_diagram('digraph {\n  a -> b [labelURL="vbscript:msgbox(1)"]\n}\n'),
        {},
        "manuscript/d.dot:2",
        "SEC004",
    ),
    (
        "dot-node-name-as-link",
        dot_diagram('digraph {\n  node [URL="\\N"]\n  "javascript:alert(1)"\n}\n'),
        {},
        "manuscript/d.dot:2",
        "SEC006",
    ),
    (
        "diagram-theme-flow-mapping",
        {"styles/diagrams.yaml": "graph: {}\nnode: {shape: box, image: SECRET}\n"},
        {},
        "styles/diagrams.yaml:2",
        "SEC010",
    ),
    (
        "diagram-theme-quoted-url",
        {"styles/diagrams.yaml": 'node:\n  "URL": "javascript:alert(1)"\n'},
        {},
        "styles/diagrams.yaml:2",
        "SEC004",
    ),
    # Attributes pandoc copies from {key=value} into the HTML.
    ("pandoc-srcset", picture('srcset="SERVER/x.png 2x"'), {}, "manuscript/ch.md:5", "SEC011"),
    (
        "pandoc-srcset-javascript",
        picture('srcset="javascript:alert(1) 2x"'),
        {},
        "manuscript/ch.md:5",
        "SEC004",
    ),
    (
        "pandoc-ping",
        chapter_files('[a link](https://example.com){ping="SERVER/ping"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC011",
    ),
    (
        "pandoc-formaction",
        chapter_files('[text]{formaction="SERVER/post"}\n'),
        {},
        "manuscript/ch.md:5",
        "SEC011",
    ),
    # Templates and book.yaml: the link policy holds there too.
    (
        "template-javascript",
        template("[Help](javascript:alert(1))\n"),
        {},
        "manuscript/t.md:7",
        "SEC004",
    ),
    ("template-file", template("See [this](file://SECRET).\n"), {}, "manuscript/t.md:7", "SEC004"),
    (
        "template-vbscript-autolink",
        template("<vbscript:msgbox(1)>\n"),
        {},
        "manuscript/t.md:7",
        "SEC004",
    ),
    (
        "template-onclick",
        template('[Press]{onclick="alert(1)"}\n'),
        {},
        "manuscript/t.md:7",
        "SEC003",
    ),
    (
        "template-description-link",
        {
            "manuscript/book.yaml": BOOK + "templates:\n  - t.md\n",
            "manuscript/t.md": "---\ntitle: A form\ndescription: See [this](file://SECRET)\n"
            "---\n\nOwner: ___\n",
        },
        {},
        "manuscript/t.md:3",
        "SEC004",
    ),
    (
        "cta-url-breaks-out-of-link",
        sample_book("Buy it.", "https://example.com) ![x](SECRET"),
        {},
        "manuscript/book.yaml:14",
        "SEC004",
    ),
    (
        "cta-text-script",
        sample_book("Buy <script>alert(1)</script> now.", "https://example.com/buy"),
        {},
        "manuscript/book.yaml:13",
        "SEC001",
    ),
    # Invisible characters that make ill-formed XHTML or print as nothing.
    ("vertical-tab", chapter_files("A\x0bB.\n"), {}, "manuscript/ch.md:5", "SEC014"),
    ("non-character-fffe", chapter_files("A\ufffeB.\n"), {}, "manuscript/ch.md:5", "SEC014"),
    ("nul-byte", chapter_files("A\x00B.\n"), {}, "manuscript/ch.md:5", "SEC014"),
    ("entity-ffff", chapter_files("A &#xFFFF; B.\n"), {}, "manuscript/ch.md:5", "SEC014"),
    ("entity-decimal-vt", chapter_files("A &#11; B.\n"), {}, "manuscript/ch.md:5", "SEC014"),
    (
        "plane-one-non-character",
        chapter_files("A \U0001fffe B.\n"),
        {},
        "manuscript/ch.md:5",
        "SEC014",
    ),
    (
        "book-title-escape",
        {"manuscript/book.yaml": BOOK.replace("title: Hostile", 'title: "Hos\\vtile"')},
        {},
        "manuscript/book.yaml:1",
        "SEC014",
    ),
    (
        "front-matter-title-escape",
        {"manuscript/ch.md": '---\ntitle: "A \\uFFFE title"\n---\n' + CHAPTER},
        {},
        "manuscript/ch.md:2",
        "SEC014",
    ),
    (
        "label-form-feed",
        {"manuscript/book.yaml": BOOK + 'labels:\n  figure: "Fig\\f"\n'},
        {},
        "manuscript/book.yaml:10",
        "SEC014",
    ),
    ("template-vertical-tab", template("Notes\x0b here.\n"), {}, "manuscript/t.md:7", "SEC014"),
]

INKSCAPE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
  xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  width="40" height="40" viewBox="0 0 40 40" inkscape:version="1.2">
  <sodipodi:namedview id="view" inkscape:zoom="4"/>
  <metadata><rdf:RDF><rdf:Description about="SERVER/licence"/></rdf:RDF></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#135"/></linearGradient></defs>
  <rect inkscape:label="box" width="30" height="30" fill="url(#g)" style="stroke:#000"/>
  <image width="2" height="2" xlink:href="PNG_DATA"/>
  <a href="https://example.com/about"><text x="2" y="38">About</text></a>
</svg>
""".replace("PNG_DATA", PNG_DATA)

# (id, files): exit 0, and nothing hostile in any output.
ACCEPTED = [
    ("bom-before-title", {"manuscript/ch.md": "\ufeff" + CHAPTER}),
    ("inkscape-file", svg_image(INKSCAPE)),
    (
        "svg-editor-namespace-dropped",
        svg_image(f'{SVG_OPEN}<x:note xmlns:x="urn:x-editor">CANARY</x:note></svg>'),
    ),
    (
        "svg-comment-with-script",
        svg_image('<rect width="5" height="5"/><!-- <script>CANARY</script> -->'),
    ),
    ("svg-unknown-element-dropped", svg_image("<meshgradient id='m'><meshrow/></meshgradient>")),
    (
        "dot-plain-links",
        dot_diagram('digraph {\n  a [URL="https://example.com/a" tooltip="See A"]\n  a -> b\n}\n'),
    ),
]
