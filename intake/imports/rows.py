"""Reading a spreadsheet export: the columns, a guess at which holds what, and each line's
values checked the way the request form checks them."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.utils import timezone

from prodops.core import limits

# The request fields a file can fill, with the words a header usually uses for each.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "summary", "subject", "name", "request"),
    "description": ("description", "details", "body", "notes", "text"),
    "department": ("department", "team", "dept", "group"),
    "requester_email": ("requester email", "requester", "email", "reporter", "submitted by"),
    "votes": ("votes", "upvotes", "vote count", "likes"),
    "created": ("created", "created at", "created date", "date", "submitted", "submitted at"),
}
REQUIRED = ("title",)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
MAX_VOTES = 1_000_000


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why."""


def read_table(content: str) -> tuple[list[str], list[list[str]]]:
    """The header and the data lines of a CSV text (comma, semicolon or tab separated)."""
    content = content.lstrip("\ufeff")
    if not content.strip():
        raise FileRefused("The file is empty.")
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(content), dialect))
    except csv.Error as error:
        raise FileRefused(f"The file is not readable CSV: {error}.") from None
    header = [h.strip() for h in lines[0]]
    if not any(header):
        raise FileRefused("The first line must name the columns.")
    return header, lines[1:]


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Which column probably holds each field, by its header's words."""
    normal = {re.sub(r"[\s_-]+", " ", h.strip().lower()): h for h in header}
    mapping: dict[str, str] = {}
    for name, words in FIELDS.items():
        for word in words:
            if word in normal and normal[word] not in mapping.values():
                mapping[name] = normal[word]
                break
    return mapping


def check_mapping(mapping: dict, header: list[str]) -> dict[str, str]:
    """The mapping with empty choices dropped; refuses unknown fields and columns."""
    clean = {k: v for k, v in (mapping or {}).items() if v}
    for name, column in clean.items():
        if name not in FIELDS:
            raise FileRefused(f"{name} is not a request field that can be imported.")
        if column not in header:
            raise FileRefused(f"The file has no column {column!r} (for {name}).")
    missing = [name for name in REQUIRED if name not in clean]
    if missing:
        raise FileRefused(f"Choose the column that holds the {missing[0]}.")
    return clean


@dataclass
class Line:
    number: int
    values: dict = field(default_factory=dict)
    error: str = ""


def _parse_created(text: str) -> dt.datetime:
    text = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"created {text!r} is not a date (use YYYY-MM-DD).")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > timezone.now():
        raise ValueError(f"created {text} is in the future.")
    return parsed


def read_line(
    number: int,
    cells: list[str],
    *,
    header: list[str],
    mapping: dict,
    departments: dict,
    people: dict,
) -> Line:
    """One data line's values, or the first thing wrong with it (named by field)."""
    by_column = dict(zip(header, cells, strict=False))
    raw = {name: (by_column.get(column) or "").strip() for name, column in mapping.items()}
    line = Line(number=number)
    title = raw.get("title", "")
    try:
        if not title:
            raise ValueError("title is empty.")
        if len(title) > limits.TITLE:
            raise ValueError(f"title is longer than {limits.TITLE} characters.")
        description = raw.get("description", "")
        if len(description) > limits.MARKDOWN:
            raise ValueError(f"description is longer than {limits.MARKDOWN} characters.")
        values: dict = {"title": title, "description": description}
        department = raw.get("department", "")
        if department:
            found = departments.get(department.lower())
            if found is None:
                raise ValueError(f"department {department!r} does not exist.")
            values["department_id"] = found
        email = raw.get("requester_email", "")
        if email:
            person = people.get(email.lower())
            if person is None:
                raise ValueError(f"requester_email {email} belongs to nobody here.")
            values["requester_id"] = person
        votes = raw.get("votes", "")
        if votes:
            if not votes.isdigit() or int(votes) > MAX_VOTES:
                raise ValueError(f"votes {votes!r} is not a whole number from 0 to {MAX_VOTES:,}.")
            values["votes"] = int(votes)
        if raw.get("created"):
            values["created"] = _parse_created(raw["created"]).isoformat()
    except ValueError as error:
        line.error = str(error)
        line.values = {"title": title[: limits.TITLE]}
        return line
    line.values = values
    return line


def title_key(title: str) -> str:
    """Two titles with the same key in one file are the same request said twice."""
    return re.sub(r"\W+", " ", title.lower()).strip()
