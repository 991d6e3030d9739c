"""The project with one more address, ``/bench/hello/`` (a hello-world view), for bench/serving.py.

    gunicorn -c config/gunicorn.py bench.hello_site:application

The product never routes to it: only this module adds it, as the root URLconf of the process.
"""

import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings.ROOT_URLCONF = __name__
django.setup()


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), path("", include("config.urls"))]

# Last: config.wsgi loads the URLconf (this module) at start-up, as production's entry point.
from config.wsgi import application  # noqa: E402, F401
