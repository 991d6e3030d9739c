"""The published catalogue in the ELM LOQ profile, for course catalogues and Europass."""

import json

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from credentials.elm.catalogue import catalogue_document


@require_GET
def catalogue(request):
    response = HttpResponse(
        json.dumps(catalogue_document(), ensure_ascii=False, indent=2),
        content_type="application/ld+json",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
