"""How the API reads a JSON body."""

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

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


class ObjectJSONParser(JSONParser):
    """Every JSON body the API accepts is one object: anything else (null, a number, a string,
    a list) is refused with 400 naming `body`. JSON nested too deep to read is refused with 400
    as well, rather than failing the server with a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body is nested too deeply.") from error
        if not isinstance(data, dict):
            raise ValidationError({"body": [BODY_NOT_OBJECT.format(kind=_kind(data))]})
        return data
