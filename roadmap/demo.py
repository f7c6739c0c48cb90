"""Demo data for this feature (filled in with the feature)."""


def seed(stdout) -> None:
    return None
