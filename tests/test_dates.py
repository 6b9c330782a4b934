"""Partial dates: parsing, precision, ordering and the periods they cover."""

from __future__ import annotations

import datetime as dt

import pytest

from talkbase.records.dates import Chronology, DateError, last_written, parse_date, soonest_over


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year"),
        ("2025-07", dt.date(2025, 7, 1), dt.date(2025, 7, 31), "month"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
        ("1900-02", dt.date(1900, 2, 1), dt.date(1900, 2, 28), "month"),
        ("2025-04", dt.date(2025, 4, 1), dt.date(2025, 4, 30), "month"),
        ("9999-12", dt.date(9999, 12, 1), dt.date(9999, 12, 31), "month"),
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


class Dated:
    def __init__(self, text: str) -> None:
        self.id, self.date = text, parse_date(text)


def test_a_partial_date_is_listed_where_its_period_begins_and_before_that_day() -> None:
    texts = ["2025-07-02", "2025-07", "2025", "2025-06-30", "2025-07-01", "2024-12-31"]
    ordered = Chronology([]).ordered(Dated(t) for t in texts)
    assert [d.id for d in ordered] == ["2024-12-31", "2025", "2025-06-30", "2025-07", "2025-07-01", "2025-07-02"]


def test_the_latest_of_entries_is_the_last_written_where_the_dates_leave_the_order_open() -> None:
    entries = [("a", "2025-07-10"), ("b", "2025-07"), ("c", "2025-06")]
    assert last_written(entries, lambda e: parse_date(e[1])) == ("b", "2025-07")
    assert last_written(entries[:1] + entries[2:], lambda e: parse_date(e[1])) == ("a", "2025-07-10")
    assert last_written([], lambda e: parse_date(e)) is None
    assert soonest_over([parse_date("2025-07"), parse_date("2025-07-20")]).text == "2025-07-20"
