"""What an SVG in a book may hold: static drawing, its styling and plain links.

The sanitizer (svg_sanitize.py) keeps only these elements and attributes of the
SVG namespace. Everything that can run code, fetch a file or follow a link on
its own (script, event handlers, foreignObject, external references, animation
of link or handler attributes) is refused by name, so the author hears why;
elements and attributes of other namespaces are editors' bookkeeping (Inkscape,
Illustrator, RDF) that no reader renders.
"""

from __future__ import annotations

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Namespaces whose elements a reading system may act on inside an SVG document:
# XHTML (a <script> or <iframe> there runs), XInclude and XSLT (they pull files in).
ACTIVE_NAMESPACES = {
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2001/XInclude",
    "http://www.w3.org/1999/XSL/Transform",
    "http://www.w3.org/1998/Math/MathML",
}

SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
TEXT = {"text", "tspan", "textPath"}
STRUCTURE = {"svg", "g", "defs", "symbol", "use", "title", "desc", "switch", "a", "view"}
PAINT = {"linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker"}
FILTERS = {
    *("filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite"),
    *("feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight"),
    *("feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR"),
    *("feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset"),
    *("fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"),
}
ANIMATION = {"animate", "animateTransform", "animateMotion", "animateColor", "set", "mpath"}
ELEMENTS = SHAPES | TEXT | STRUCTURE | PAINT | FILTERS | ANIMATION | {"image", "style"}

# Elements refused by name: they run code, embed a document or fetch on their own.
REFUSED_ELEMENTS = {
    "script": "SEC001",
    "foreignobject": "SEC001",
    "iframe": "SEC001",
    "object": "SEC001",
    "embed": "SEC001",
    "handler": "SEC001",
    "listener": "SEC001",
    "feimage": "SEC012",
    "font-face-uri": "SEC012",
    "cursor": "SEC012",
    "color-profile": "SEC012",
    "tref": "SEC012",
    "altglyph": "SEC012",
    "discard": "SEC012",
}

PRESENTATION = {
    *("alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color"),
    *("color-interpolation", "color-interpolation-filters", "color-rendering", "direction"),
    *("display", "dominant-baseline", "fill", "fill-opacity", "fill-rule", "filter"),
    *("flood-color", "flood-opacity", "font", "font-family", "font-size", "font-size-adjust"),
    *("font-stretch", "font-style", "font-variant", "font-weight", "font-kerning"),
    *("glyph-orientation-horizontal", "glyph-orientation-vertical", "image-rendering"),
    *("letter-spacing", "lighting-color", "marker", "marker-end", "marker-mid", "marker-start"),
    *("mask", "mask-type", "opacity", "overflow", "paint-order", "pointer-events"),
    *("shape-rendering", "stop-color", "stop-opacity", "stroke", "stroke-dasharray"),
    *("stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit"),
    *("stroke-opacity", "stroke-width", "text-anchor", "text-decoration", "text-rendering"),
    *("transform", "transform-origin", "unicode-bidi", "vector-effect", "visibility"),
    *("word-spacing", "writing-mode", "mix-blend-mode", "isolation", "enable-background"),
    "white-space",
}
GEOMETRY = {
    *("x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry"),
    *("fx", "fy", "fr", "d", "points", "pathLength", "dx", "dy", "rotate", "textLength"),
    *("lengthAdjust", "startOffset", "method", "spacing", "side", "viewBox"),
    *("preserveAspectRatio", "offset", "refX", "refY", "orient", "markerUnits"),
    *("markerWidth", "markerHeight", "gradientUnits", "gradientTransform", "spreadMethod"),
    *("patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits"),
    *("maskUnits", "maskContentUnits", "filterUnits", "primitiveUnits", "zoomAndPan"),
}
FILTER_ATTRIBUTES = {
    *("in", "in2", "result", "stdDeviation", "mode", "operator", "k1", "k2", "k3", "k4"),
    *("values", "type", "tableValues", "slope", "intercept", "amplitude", "exponent"),
    *("scale", "xChannelSelector", "yChannelSelector", "baseFrequency", "numOctaves"),
    *("seed", "stitchTiles", "kernelMatrix", "order", "divisor", "bias", "targetX"),
    *("targetY", "edgeMode", "preserveAlpha", "surfaceScale", "diffuseConstant"),
    *("specularConstant", "specularExponent", "kernelUnitLength", "azimuth", "elevation"),
    *("pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle", "radius", "z"),
}
TIMING = {
    *("attributeName", "attributeType", "begin", "dur", "end", "min", "max", "restart"),
    *("repeatCount", "repeatDur", "calcMode", "keyTimes", "keySplines", "keyPoints"),
    *("from", "to", "by", "additive", "accumulate", "path", "keyTimes"),
}
CORE = {
    *("id", "class", "style", "lang", "tabindex", "role", "focusable", "version"),
    *("baseProfile", "requiredFeatures", "requiredExtensions", "systemLanguage"),
    *("media", "href", "target", "hreflang", "title"),
}
ATTRIBUTES = PRESENTATION | GEOMETRY | FILTER_ATTRIBUTES | TIMING | CORE
# Attributes an animation may change: drawing only, never a link, handler or style.
ANIMATABLE = (PRESENTATION | GEOMETRY) - {"style"}
XLINK_ATTRIBUTES = {"href", "title", "show", "actuate", "type", "role", "arcrole"}
XML_ATTRIBUTES = {"space", "lang"}
# Raster images an SVG may carry inline, by their first bytes.
RASTER_DATA = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
