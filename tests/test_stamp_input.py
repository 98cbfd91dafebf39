"""What a buyer types, and the fingerprint's code: checked without building a book."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publish.errors import FindingsError
from publish.storefront import fingerprint
from publish.storefront.order import ORDER_ID, validated

ORDER_IDS = st.from_regex(ORDER_ID, fullmatch=True)


@given(ORDER_IDS, st.text(max_size=40), st.text(max_size=40))
def test_each_carrier_gives_back_its_order_amid_any_text(order, before, after):
    before, after = (
        t.replace(fingerprint.ZERO, "").replace(fingerprint.ONE, "") for t in (before, after)
    )
    for mark in (fingerprint.zero_width(order), fingerprint.token(order)):
        assert fingerprint.orders_in(f"{before}{mark}{after}") == {order: 1}


def test_a_damaged_fingerprint_names_no_order():
    mark = fingerprint.zero_width("A-1001")
    flipped = mark[:9] + (fingerprint.ONE if mark[9] == fingerprint.ZERO else fingerprint.ZERO)
    assert fingerprint.orders_in(flipped + mark[10:]) == {}
    assert fingerprint.orders_in(fingerprint.token("A-1001")[:-2] + "AA") == {}
    assert fingerprint.orders_in("plain text, fp:ABCDEFGH and no marks") == {}


def codes(error: FindingsError) -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in error.findings]


@pytest.mark.parametrize(
    ("buyer", "email", "order", "date", "expected"),
    [
        ("", "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM001")]),
        ("x" * 10_240, "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM002")]),
        ("Bob\x00", "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM003")]),
        ("Eve\u202e", "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM003")]),
        ("Eve\u2066x\u2069", "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM003")]),
        ("Line\nbreak", "a@b.co", "A-1", "2026-11-28", [("--buyer", "STM003")]),
        ("Ann", "Ann <a@b.co>", "A-1", "2026-11-28", [("--email", "STM004")]),
        ("Ann", "a@localhost", "A-1", "2026-11-28", [("--email", "STM004")]),
        ("Ann", "a@b.co", "../etc/passwd", "2026-11-28", [("--order", "STM005")]),
        ("Ann", "a@b.co", "A-1", "28/11/2026", [("--date", "STM006")]),
        (
            "\x07",
            "bad",
            "x y",
            "",
            [
                ("--buyer", "STM003"),
                ("--date", "STM006"),
                ("--email", "STM004"),
                ("--order", "STM005"),
            ],
        ),
    ],
)
def test_bad_orders_get_every_finding_at_once(buyer, email, order, date, expected):
    with pytest.raises(FindingsError) as raised:
        validated(buyer, email, order, date)
    assert codes(raised.value) == expected
    assert "nothing was written" in raised.value.format_message()


def test_names_are_kept_as_typed_markup_and_joiners_included():
    order = validated(
        " <b>Zoë</b> & \u0928\u094d\u200d ", "zoe+books@example.co.uk", "A.1_b-2", "2026-02-28"
    )
    assert order.buyer == "<b>Zoë</b> & \u0928\u094d\u200d"
    assert order.licence_line.startswith("Licensed to <b>Zoë</b>")
