"""Public: verify a posted credential, and the status lists verifiers read. No log-in."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from api import schemas
from api.auth import public_throttle
from api.problems import ApiProblem, responses
from credentials.issuing import status_lists, verification
from credentials.issuing.models import StatusList

router = Router(tags=["verification"], auth=None, throttle=public_throttle)


@router.post(
    "/verify",
    response=schemas.Verification,
    summary=_("Verify a credential"),
    description=_(
        "Checks the format, the issuer's signature, the revocation and suspension status and "
        "the dates. A credential that fails a check still gets 200, with valid false."
    ),
    openapi_extra=responses(413, 429),
)
def verify(request, body: schemas.VerifyIn):
    if len(request.body) > verification.MAX_INPUT_BYTES + 1024:
        raise ApiProblem(
            413,
            "too-large",
            _("The credential is larger than 256 KB: a credential is much smaller."),
        )
    if isinstance(body.credential, dict):
        report = verification.verify_document(body.credential)
    else:
        report = verification.verify_text(body.credential)
    return {
        "valid": report.valid,
        "form": report.form,
        "revoked": report.revoked,
        "suspended": report.suspended,
        "expired": report.expired,
        "checks": [
            {"name": check.name, "ok": check.ok, "message": check.message}
            for check in report.checks
        ],
    }


def _ref(status_list) -> dict:
    return {
        "organisation": status_list.organisation_id,
        "purpose": status_list.purpose,
        "number": status_list.number,
        "url": status_lists.list_url(status_list),
        "updated_at": status_list.updated_at,
    }


@router.get(
    "/status-lists/",
    response=schemas.Page[schemas.StatusListRef],
    summary=_("The published status lists"),
    openapi_extra=responses(429),
)
def list_status_lists(request, filters: Query[schemas.StatusListFilters]):
    found = StatusList.objects.order_by("organisation_id", "purpose", "number")
    if filters.purpose:
        found = found.filter(purpose=filters.purpose)
    return schemas.paginate(request, found, filters, _ref)


@router.get(
    "/status-lists/{organisation}/{purpose}/{number}",
    response=dict,
    summary=_("One signed status list (a BitstringStatusListCredential)"),
    openapi_extra=responses(429),
)
def get_status_list(request, organisation: schemas.Id, purpose: schemas.Slug, number: schemas.Id):
    if purpose not in StatusList.Purpose.values:
        raise ApiProblem(404, "not-found", _("There is no such status list."))
    found = StatusList.objects.get(organisation_id=organisation, purpose=purpose, number=number)
    response = JsonResponse(status_lists.published(found))
    response["Cache-Control"] = f"public, max-age={status_lists.TTL_SECONDS}"
    return response
