"""Planning periods: a quarter ("2027-Q1") or a fiscal year ("2027").

A fiscal year is named after the calendar year in which it starts; Q1 starts in the
workspace's fiscal-year start month.
"""

import datetime as dt
import re
from dataclasses import dataclass

from .errors import ValidationFailed

_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<q>[1-4])$")
_YEAR = re.compile(r"^(?P<year>\d{4})$")
# Plans are made for years people live in; outside this range dates cannot be computed
# (year 0 does not exist, a fiscal year starting in 9999 ends in 10000).
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def is_quarter(self) -> bool:
        return "-Q" in self.label

    def months(self) -> list[dt.date]:
        """First day of each month in the period."""
        months, current = [], self.start
        while current <= self.end:
            months.append(current)
            current = _add_months(current, 1)
        return months

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(label: str, *, fiscal_start_month: int = 1, field: str = "period") -> Period:
    """Turn "2027-Q1" or "2027" into dates; anything else is refused naming the field."""
    label = (label or "").strip().upper()
    match = _QUARTER.match(label) or _YEAR.match(label)
    if match and not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
        raise ValidationFailed(
            f"“{label}” is out of range: plan for a year from {FIRST_YEAR} to {LAST_YEAR}.",
            field=field,
        )
    if match := _QUARTER.match(label):
        year, quarter = int(match["year"]), int(match["q"])
        start = _add_months(dt.date(year, fiscal_start_month, 1), 3 * (quarter - 1))
        end = _add_months(start, 3) - dt.timedelta(days=1)
        return Period(label, start, end)
    if match := _YEAR.match(label):
        start = dt.date(int(match["year"]), fiscal_start_month, 1)
        return Period(label, start, _add_months(start, 12) - dt.timedelta(days=1))
    raise ValidationFailed(
        f"“{label}” is not a period. Use a quarter like 2027-Q1 or a year like 2027.", field=field
    )


def quarter_of(day: dt.date, *, fiscal_start_month: int = 1) -> Period:
    """The fiscal quarter that contains `day`."""
    offset = (day.month - fiscal_start_month) % 12
    fiscal_year = day.year if day.month >= fiscal_start_month else day.year - 1
    return parse_period(f"{fiscal_year}-Q{offset // 3 + 1}", fiscal_start_month=fiscal_start_month)
