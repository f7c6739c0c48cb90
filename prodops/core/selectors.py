from .models import WorkspaceSettings


def workspace_settings() -> WorkspaceSettings:
    """The single settings row, created with defaults on first use."""
    settings, _ = WorkspaceSettings.objects.get_or_create(pk=1)
    return settings
