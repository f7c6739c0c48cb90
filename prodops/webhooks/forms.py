from django import forms

from .events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
