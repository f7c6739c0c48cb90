from django import forms

from .rows import FIELDS

FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "department": "Department",
    "requester_email": "Requester email",
    "votes": "Votes",
    "created": "Created date",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A spreadsheet export with a header row (comma, semicolon or tab separated).",
    )


class MappingForm(forms.Form):
    """One choice of column per request field; the file's header gives the choices."""

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(c, c) for c in columns]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=choices, required=name == "title"
            )
        self.fields["include_duplicates"] = forms.BooleanField(
            label="Import likely duplicates too", required=False
        )
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def mapping(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS if self.cleaned_data.get(name)}
