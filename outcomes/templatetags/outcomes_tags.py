from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value) -> str:
    """A stored value without its trailing zeros and never in exponent form: 20.0000 → 20."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}"
