"""What every part of book.yaml's typed schema uses to document its fields.

Its own module so that config.py and the sections it imports (config_pdf, config_limits)
share one helper without importing each other."""

from __future__ import annotations

from dataclasses import field


def doc(text: str, **kwargs):
    """A dataclass field carrying its documentation for README and errors."""
    return field(metadata={"doc": text}, **kwargs)
