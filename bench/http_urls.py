"""The app's URLs plus a hello-world view, for the HTTP benchmark only (bench/http_settings.py
points ROOT_URLCONF here). The hello-world view goes through the same server and middleware as
every page, so a page's requests per second over its own are what the page itself costs."""

from django.http import HttpResponse
from django.urls import path

from prodops.urls import urlpatterns as app_urlpatterns

HELLO_PATH = "bench/hello/"


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path(HELLO_PATH, hello), *app_urlpatterns]
