"""Partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): parsed once, kept as written, sorted at their earliest day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

# ASCII digits only: `\d` and int() would also take ２０２５ or ٢٠٢٥, which no reader of the file sees as a date
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
DATE_FORMAT_HINT = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23"


class DateError(ValueError):
    """A date that is malformed (2025-7-3) or impossible (2025-02-30)."""


@dataclass(frozen=True, slots=True, order=False)
class PartialDate:
    """A date at year, month or day precision; `text` is exactly what the curator wrote."""

    text: str
    start: dt.date
    end: dt.date

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.text.count("-")]

    def sort_key(self) -> tuple[dt.date, int]:
        # A coarser date sorts before a finer one on the same first day: 2025-07 before 2025-07-01.
        return (self.start, len(self.text))

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=16384)  # a knowledge base repeats its dates; PartialDate is immutable, so sharing is safe
def parse_date(text: str) -> PartialDate:
    """Parse a partial date, raising DateError with a message that says what is wrong.

    Only the ASCII form is a date, exactly as written: no other digits and no spaces around it (the JSON
    Schema says the same), so `" 2025"` or `"２０２５"` is malformed rather than silently read."""
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise DateError(f"malformed date `{text}`")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"impossible date `{text}`: there is no month {month}")
    try:
        if month is None:
            return PartialDate(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return PartialDate(text, dt.date(year, month, 1), dt.date(year, month, last))
        day_date = dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date `{text}`: {exc}") from None
    return PartialDate(text, day_date, day_date)
