import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Web processes only, at start-up rather than on the first request: every view module and
# WeasyPrint (fonts), so that the first certificate a person downloads is as fast as the next.
from django.urls import get_resolver  # noqa: E402

from rpl.pdf import warm_up  # noqa: E402

get_resolver().url_patterns  # noqa: B018
warm_up()
