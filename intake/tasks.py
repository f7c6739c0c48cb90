"""Intake's Celery tasks (found by autodiscovery through this module)."""

from .imports.tasks import commit_import, preview_import

__all__ = ["commit_import", "preview_import"]
