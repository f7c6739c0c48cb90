"""Pricing reviews held and overdue, and their decisions. The pricing feature registers its
own "pricing" section in place of this one when it lands."""

from . import NO_DATA, Scope, Section, register
from ._feature import feature_model


def compute(scope: Scope) -> dict:
    """No pricing reviews exist yet, so there is nothing to report: the section says so."""
    return {
        "has_data": False,
        "message": NO_DATA,
        "feature_installed": feature_model("pricing", "PricePlan") is not None,
    }


SECTION = register(
    Section(
        key="pricing",
        title="Pricing reviews",
        compute=compute,
        public=lambda figures: dict(figures),
    )
)
