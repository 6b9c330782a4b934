"""Partial dates: parsing, precision, ordering and the periods they cover."""

from __future__ import annotations

import datetime as dt

import pytest

from talkbase.records.dates import DateError, parse_date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year"),
        ("2025-07", dt.date(2025, 7, 1), dt.date(2025, 7, 31), "month"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
        ("2025-07-23", dt.date(2025, 7, 23), dt.date(2025, 7, 23), "day"),
    ],
)
def test_a_partial_date_covers_its_whole_period(text, start, end, precision) -> None:
    date = parse_date(text)
    assert (date.text, date.start, date.end, date.precision) == (text, start, end, precision)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-30", "impossible date `2025-02-30`"),
        ("2025-13-01", "there is no month 13"),
        ("2025-00", "there is no month 0"),
        ("2025-7-3", "malformed date `2025-7-3`"),
        ("25-07-03", "malformed date"),
        ("July 2025", "malformed date"),
        ("2025-07-23T10:00", "malformed date"),
        ("0000", "impossible date `0000`"),
        ("２０２５-０７-０２", "malformed date"),  # full-width digits: int() reads them, a date they are not
        ("٢٠٢٥", "malformed date"),  # Arabic-Indic digits
        ("2025-0٧", "malformed date"),
        (" 2025-07-02", "malformed date"),
        ("2025 ", "malformed date"),
        ("2025\n", "malformed date"),
    ],
)
def test_bad_dates_say_what_is_wrong(text, message) -> None:
    with pytest.raises(DateError, match=message.replace("`", ".")):
        parse_date(text)


def test_a_partial_date_sorts_at_its_earliest_day_and_before_that_day() -> None:
    texts = ["2025-07-02", "2025-07", "2025", "2025-06-30", "2025-07-01", "2024-12-31"]
    ordered = sorted((parse_date(t) for t in texts), key=lambda d: d.sort_key())
    assert [d.text for d in ordered] == ["2024-12-31", "2025", "2025-06-30", "2025-07", "2025-07-01", "2025-07-02"]
