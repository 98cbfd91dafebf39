"""Append a PDF incremental update: the objects a stamp adds or changes, written after
the master's untouched bytes with their own cross-reference stream (ISO 32000-1,
7.5.6). A copy then costs what the stamp adds, not a rewrite of the whole book, and
everything the master holds (structure tree, outline, links, page labels) is kept by
construction.

pikepdf reads the objects; this module only serialises them, renumbering the ones
brought in from another file so every copy of an order gets the same numbers.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


@dataclass
class Update:
    """New and redefined objects for one copy, by object number, as serialised bytes."""

    next_number: int
    objects: dict[int, bytes] = field(default_factory=dict)

    def add(self, body: bytes) -> int:
        number = self.next_number
        self.next_number += 1
        self.objects[number] = body
        return number


def serialise(obj, numbers: dict[tuple[int, int], int] | None = None) -> bytes:
    """PDF syntax for a direct value; indirect references are written as references,
    renumbered by `numbers` (objects brought in) or kept (the master's own)."""
    numbers = numbers or {}
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return f"{numbers.get(obj.objgen, obj.objgen[0])} 0 R".encode()
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, int):
        return str(obj).encode()
    if isinstance(obj, Decimal | float):
        return format(Decimal(obj).normalize(), "f").encode()
    if obj is None:
        return b"null"
    if isinstance(obj, pikepdf.Array):
        return b"[" + b" ".join(serialise(item, numbers) for item in obj) + b"]"
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        items = obj.stream_dict.items() if isinstance(obj, pikepdf.Stream) else obj.items()
        pairs = b"".join(
            pikepdf.Name(key).unparse() + b" " + serialise(value, numbers) + b"\n"
            for key, value in sorted(items)
        )
        return b"<<" + pairs + b">>"
    return obj.unparse()  # names, strings, operators: pikepdf writes their syntax


def dictionary(items, numbers: dict | None = None, **overrides: bytes) -> bytes:
    """A dictionary's syntax, some values replaced by ready-made syntax (key without /)."""
    values = {key: serialise(value, numbers) for key, value in items}
    values.update({f"/{key}": syntax for key, syntax in overrides.items()})
    pairs = b"".join(
        pikepdf.Name(key).unparse() + b" " + values[key] + b"\n" for key in sorted(values)
    )
    return b"<<" + pairs + b">>"


def stream_object(dictionary: bytes, data: bytes) -> bytes:
    """A stream: `dictionary` is `<<...>>` without /Length, which is added here."""
    return dictionary[:-2] + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def raw_stream(stream: pikepdf.Stream, numbers: dict) -> bytes:
    """A stream as stored (still compressed), its dictionary renumbered."""
    data = stream.read_raw_bytes()
    dictionary = {k: v for k, v in stream.stream_dict.items() if k != "/Length"}
    return stream_object(serialise(pikepdf.Dictionary(dictionary), numbers), data)


def bring_in(root: pikepdf.Object, update: Update) -> int:
    """Add `root` (of another PDF) and every object it reaches to `update`; its number.
    Numbers follow a depth-first walk in key order, so they are the same every time."""
    order: list[pikepdf.Object] = []
    seen: set[tuple[int, int]] = {root.objgen} if root.is_indirect else set()

    def walk(obj, root: bool = False) -> None:
        if not root and isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
            order.append(obj)
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            for key, value in sorted(obj.items()):
                if key != "/Parent":
                    walk(value)
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                walk(item)

    walk(root, root=True)
    first = update.next_number
    numbers = {obj.objgen: first + 1 + i for i, obj in enumerate(order)}
    if root.is_indirect:
        numbers[root.objgen] = first
    update.next_number = first + 1 + len(order)
    bodies = [root, *order]
    for number, obj in zip(range(first, update.next_number), bodies, strict=True):
        if isinstance(obj, pikepdf.Stream):
            update.objects[number] = raw_stream(obj, numbers)
        else:
            update.objects[number] = serialise(_direct(obj), numbers)
    return first


def _direct(obj):
    """An indirect dictionary's or array's contents, to serialise as a body."""
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary(dict(obj.items()))
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array(list(obj))
    return obj


def append(master: bytes, update: Update, trailer: dict[str, bytes]) -> bytes:
    """The master's bytes, then the update's objects and a cross-reference stream whose
    /Prev is the master's; `trailer` gives /Root, /Info and /ID as PDF syntax."""
    match = STARTXREF.search(master[-64:])
    if match is None:
        raise ValueError("the master PDF does not end with startxref and %%EOF")
    out = bytearray(master if master.endswith(b"\n") else master + b"\n")
    offsets = {}
    for number in sorted(update.objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + update.objects[number] + b"\nendobj\n"
    xref_number = update.next_number
    offsets[xref_number] = len(out)
    numbers = sorted(offsets)
    index = b" ".join(b"%d 1" % n for n in numbers)
    rows = b"".join(struct.pack(">BIH", 1, offsets[n], 0) for n in numbers)
    extra = b"".join(b"/%s %s" % (key.encode(), value) for key, value in sorted(trailer.items()))
    dictionary = (
        b"<</Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %s /Filter /FlateDecode %s>>"
        % (xref_number + 1, index, match.group(1), extra)
    )
    out += b"%d 0 obj\n" % xref_number + stream_object(dictionary, zlib.compress(rows, 9))
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)
