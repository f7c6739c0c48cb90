"""Request checks that hold for every view, HTML and API alike."""

from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.template.loader import render_to_string

from .permissions import refuse

NUL_MESSAGE = "this value contains a null character; remove it and try again."


class RejectNulInQueryMiddleware:
    """A query string holding a NUL character is refused with 400; a path holding one names
    no page, so it is 404.

    PostgreSQL cannot compare text with NUL in it, so any filter, search or lookup (a share
    link's token, say) reading such a value would fail with a server error; forms already
    refuse NUL the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such page.")
        for key, values in request.GET.lists():
            if "\x00" in key + "".join(values):
                field = key.replace("\x00", "")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {field: [NUL_MESSAGE[0].upper() + NUL_MESSAGE[1:]]}, status=400
                    )
                return refuse(request, f"{field}: {NUL_MESSAGE}", status=400)
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Django messages reach the person on htmx answers too, the same way as on pages.

    A page shows its messages in the `#messages` area (`_message_area.html`); an htmx answer
    that did not render them itself gets that area appended out of band, so a success on an
    inline action shows as the same toast a full page would. Error answers (4xx/5xx) are left
    alone: they are shown in place by static/js/app.js, and their messages wait for the next
    page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code != 200:
            return response
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        storage = getattr(request, "_messages", None)
        if storage is None or storage.used or not len(storage):
            return response
        area = render_to_string("_message_area.html", {"oob": True}, request=request)
        response.content = response.content + area.encode(response.charset)
        return response


DATABASE_UNAVAILABLE = "The database is unavailable right now; try again in a minute."


class ApiDatabaseUnavailableMiddleware:
    """While the database cannot be reached, the API answers 503 with a JSON `detail` (and a
    Retry-After) instead of the HTML error page, so clients can tell an outage from a bug."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
