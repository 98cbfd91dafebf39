"""One sale: who bought, which order, on what date; validated before anything is stamped."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from ..errors import ERROR, Finding, FindingsError

LIMIT = 300
# A storefront's transaction id names the copy's folder in the output store, so it keeps
# to characters every file system takes.
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# One address, as the storefront took it: no spaces, no markup, a dotted domain.
EMAIL = re.compile(r"[^\s@<>\"'(),;:\\\[\]]+@[^\s@<>\"'(),;:\\\[\]]+\.[^\s@<>\"'(),;:\\\[\].]+")
# Joiners some scripts spell names with; every other format character (bidi overrides and
# isolates, zero-width spaces that would mimic the fingerprint) is refused.
JOINERS = frozenset("\u200c\u200d")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class Order:
    """A buyer's copy to stamp. `date` is the sale's date (YYYY-MM-DD): it is printed,
    never the time of stamping, so the same order always gives the same bytes."""

    buyer: str
    email: str
    order: str
    date: str

    @property
    def licence_line(self) -> str:
        return f"Licensed to {self.buyer} <{self.email}>, order {self.order}, {self.date}"

    @classmethod
    def from_mapping(cls, data: dict) -> Order:
        """An order as a storefront sends it (JSON), validated."""
        fields = ("buyer", "email", "order", "date")
        return validated(**{name: str(data.get(name) or "") for name in fields})


def validated(buyer: str, email: str, order: str, date: str) -> Order:
    """The order with its text tidied (NFC, outer spaces), or every problem at once."""
    buyer, email, order, date = (
        unicodedata.normalize("NFC", v.strip()) for v in (buyer, email, order, date)
    )
    findings = _text_problems("--buyer", buyer)
    texts_ok = {}
    for field, value in (("--email", email), ("--order", order)):
        problems = _text_problems(field, value)
        findings += problems
        texts_ok[field] = not problems
    findings += _shape_problems(email, order, date, texts_ok)
    if findings:
        raise FindingsError(findings)
    return Order(buyer, email, order, date)


def _finding(field: str, col: int, code: str, message: str) -> Finding:
    return Finding(field, 1, col, ERROR, code, message)


def _text_problems(field: str, value: str) -> list[Finding]:
    if not value:
        return [_finding(field, 1, "STM001", "is empty")]
    if len(value) > LIMIT:
        return [
            _finding(field, LIMIT + 1, "STM002", f"is {len(value)} characters long, over {LIMIT}")
        ]
    for col, char in enumerate(value, 1):
        if char not in JOINERS and unicodedata.category(char) in REFUSED_CATEGORIES:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return [_finding(field, col, "STM003", f"holds the control character {name}")]
    return []


def _shape_problems(email: str, order: str, date: str, texts_ok: dict) -> list[Finding]:
    findings = []
    if texts_ok["--email"] and not EMAIL.fullmatch(email):
        findings.append(_finding("--email", 1, "STM004", f"'{email}' is not an e-mail address"))
    if texts_ok["--order"] and not ORDER_ID.fullmatch(order):
        findings.append(_finding("--order", 1, "STM005", f"'{order}' is not an order id"))
    try:
        datetime.date.fromisoformat(date)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ValueError(date)
    except ValueError:
        findings.append(_finding("--date", 1, "STM006", f"'{date}' is not a date"))
    return findings
