from django.utils.http import url_has_allowed_host_and_scheme


def return_path(request, value: str | None) -> str | None:
    """The `next` address to go back to when it is a path on this site (`/…`), else None.

    Pages always send a path; anything else is refused rather than handed to `redirect()`,
    which would take a bare word for a URL name and fail."""
    if not value or not value.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value
