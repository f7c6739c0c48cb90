import django_filters
from django import forms


class TrueOrFalseField(forms.Field):
    """`true` or `false`, nothing else: an unknown value is an error, not "no filter"."""

    def to_python(self, value):
        if value is None:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Give true or false.")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalseField
