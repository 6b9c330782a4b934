"""Partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): parsed once, kept as written, sorted at their earliest day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
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
    """Parse a partial date, raising DateError with a message that says what is wrong."""
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        raise DateError(f"malformed date `{text}`")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"impossible date `{text}`: there is no month {month}")
    try:
        if month is None:
            return PartialDate(text.strip(), dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return PartialDate(text.strip(), dt.date(year, month, 1), dt.date(year, month, last))
        day_date = dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date `{text}`: {exc}") from None
    return PartialDate(text.strip(), day_date, day_date)
