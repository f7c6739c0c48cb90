"""For sections whose feature app is not there yet, or has no data for the quarter."""

from django.apps import apps


def feature_model(app_label: str, model_name: str):
    """The model if its app is installed and defines it, else None (never an error)."""
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None
