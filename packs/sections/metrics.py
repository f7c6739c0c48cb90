"""Outcomes: metrics moved against target and revisits. Outcomes has objectives only so far;
when it gains metrics and revisits it registers its own "metrics" section in place of this."""

from . import NO_DATA, Scope, Section, register
from ._feature import feature_model


def compute(scope: Scope) -> dict:
    """No metrics or revisits exist yet, so there is nothing to report: the section says so."""
    return {
        "has_data": False,
        "message": NO_DATA,
        "feature_installed": feature_model("outcomes", "Metric") is not None,
    }


SECTION = register(
    Section(
        key="metrics",
        title="Outcomes: metrics and revisits",
        compute=compute,
        public=lambda figures: dict(figures),
    )
)
