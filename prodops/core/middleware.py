"""Request checks that hold for every view, HTML and API alike."""

from django.http import JsonResponse

from .permissions import refuse

NUL_MESSAGE = "The address contains a null character; remove it and try again."


class RejectNulInQueryMiddleware:
    """A query string holding a NUL character is refused with 400.

    PostgreSQL cannot compare text with NUL in it, so any filter or search reading such a
    value would fail with a server error; forms already refuse NUL the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return refuse(request, NUL_MESSAGE, status=400)
        return self.get_response(request)
