"""How the API reads a JSON body (and, where an endpoint asks for it, a CSV one)."""

import io
import re

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser

# No body the API takes nests deeper than a few levels; 64 leaves room and stays far below
# the interpreter's recursion limit, which the JSON decoder must never reach (a RecursionError
# raised inside the C decoder can leave the interpreter's recursion bookkeeping unsound).
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")

BODY_NOT_OBJECT = 'Send a JSON object with the fields to set, e.g. {{"title": …}}; got {kind}.'


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "something else"


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in `raw`, brackets inside strings not counted."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class ObjectJSONParser(JSONParser):
    """Every JSON body the API accepts is one object: anything else (null, a number, a string,
    a list) is refused with 400 naming `body`. A body nesting arrays or objects deeper than
    MAX_JSON_DEPTH is refused with 400 before it is decoded."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_JSON_DEPTH:
            raise ParseError(
                f"JSON parse error - the body is nested too deeply (over {MAX_JSON_DEPTH} levels)."
            )
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body is nested too deeply.") from error
        if not isinstance(data, dict):
            raise ValidationError({"body": [BODY_NOT_OBJECT.format(kind=_kind(data))]})
        return data


class CSVTextParser(BaseParser):
    """A text/csv body, read as UTF-8 text (CSV import endpoints set it for themselves; the
    API's default stays JSON only)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"body": ["Send the CSV as UTF-8 text."]}) from None
