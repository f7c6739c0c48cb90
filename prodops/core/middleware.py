"""Request checks that hold for every view, HTML and API alike."""

from django.http import JsonResponse

from .permissions import refuse

NUL_MESSAGE = "this value contains a null character; remove it and try again."


class RejectNulInQueryMiddleware:
    """A query string holding a NUL character is refused with 400.

    PostgreSQL cannot compare text with NUL in it, so any filter or search reading such a
    value would fail with a server error; forms already refuse NUL the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key + "".join(values):
                field = key.replace("\x00", "")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {field: [NUL_MESSAGE[0].upper() + NUL_MESSAGE[1:]]}, status=400
                    )
                return refuse(request, f"{field}: {NUL_MESSAGE}", status=400)
        return self.get_response(request)
