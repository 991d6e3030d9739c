"""The public catalogue: published specifications only, as on the catalogue pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from api import schemas
from api.auth import public_throttle
from api.problems import responses
from credentials.catalogue import selectors

router = Router(tags=["catalogue"], auth=None, throttle=public_throttle)


def _summary(request, spec) -> dict:
    body = spec.awarding_body
    return {
        "slug": spec.slug,
        "title": spec.title,
        "description": spec.description,
        "eqf_level": spec.eqf_level,
        "field_of_study": spec.field_of_study,
        "workload_ects": float(spec.workload_ects) if spec.workload_ects is not None else None,
        "workload_hours": spec.workload_hours,
        "awarding_body": (
            {"name": body.name, "country": body.country, "website": body.website} if body else None
        ),
        "url": request.build_absolute_uri(reverse("credentials:detail", args=[spec.slug])),
    }


@router.get(
    "/",
    response=schemas.Page[schemas.SpecificationSummary],
    summary=_("Search the catalogue"),
    openapi_extra=responses(429),
)
def list_specifications(request, filters: Query[schemas.CatalogueFilters]):
    found = selectors.search_catalogue(
        query=filters.q, eqf_level=filters.eqf_level, field_of_study=filters.field_of_study
    )
    return schemas.paginate(request, found, filters, lambda spec: _summary(request, spec))


@router.get(
    "/{slug}",
    response=schemas.SpecificationDetail,
    summary=_("One published micro-credential with its learning outcomes"),
    openapi_extra=responses(429),
)
def get_specification(request, slug: schemas.Slug):
    spec = selectors.get_published_specification(slug=slug)
    return _summary(request, spec) | {
        "prk_level": spec.prk_level,
        "assessment_type": spec.assessment_type,
        "participation_form": spec.participation_form,
        "supervision": spec.supervision,
        "prerequisites": spec.prerequisites,
        "validity_months": spec.validity_months,
        "outcomes": [
            {
                "id": outcome.pk,
                "position": outcome.position,
                "statement": outcome.statement,
                "criteria": outcome.criteria_list,
                "esco_uri": outcome.esco_uri,
            }
            for outcome in selectors.outcomes_of(spec)
        ],
    }
