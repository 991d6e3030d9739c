"""Issued credentials: learners read and download their own (JSON-LD, VC-JWT, PDF); quality
officers read all and suspend, reinstate or revoke them, as on the pages in
``credentials/issuing_views.py``."""

from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from api import schemas
from api.models import Scope
from api.problems import responses
from credentials.issuing import certificate
from credentials.issuing import documents as issuing
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential
from rpl.accounts.roles import Role

router = Router(tags=["credentials"])

STATUS_ACTIONS = {
    "suspend": issuing_services.suspend,
    "reinstate": issuing_services.reinstate,
    "revoke": issuing_services.revoke,
}


def _visible(user):
    """Learners (candidates) their own; quality officers every credential."""
    credentials = IssuedCredential.objects.select_related(
        "specification", "organisation", "learner"
    )
    if user.has_role(Role.QUALITY_OFFICER):
        return credentials
    if user.has_role(Role.CANDIDATE):
        return credentials.filter(learner=user)
    return credentials.none()


def _readable(request, credential_id: UUID) -> IssuedCredential:
    request.auth.require(Scope.CREDENTIALS_READ, Role.CANDIDATE, Role.QUALITY_OFFICER)
    return _visible(request.auth.user).get(public_id=credential_id)


def _own(request, credential_id: UUID) -> IssuedCredential:
    request.auth.require(Scope.CREDENTIALS_READ, Role.CANDIDATE)
    return _visible(request.auth.user).get(public_id=credential_id, learner=request.auth.user)


def _serialize(credential) -> dict:
    return {
        "id": credential.public_id,
        "specification": {
            "slug": credential.specification.slug,
            "title": credential.specification.title,
        },
        "awarding_body": credential.organisation.name,
        "learner_name": credential.learner.get_full_name(),
        "issued_at": credential.issued_at,
        "valid_until": credential.valid_until,
        "state": credential.state,
        "state_reason": credential.state_reason,
        "expired": credential.is_expired,
        "verification_url": issuing.credential_url(credential.public_id),
    }


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _document(content_type: str, schema: dict) -> dict:
    content = {content_type: {"schema": schema}}
    return {"responses": {200: {"description": "OK", "content": content}}}


@router.get(
    "/",
    response=schemas.Page[schemas.Credential],
    summary=_("Credentials you may read"),
    description=_("Learners: their own. Quality officers: every issued credential."),
)
def list_credentials(request, filters: Query[schemas.CredentialFilters]):
    request.auth.require(Scope.CREDENTIALS_READ, Role.CANDIDATE, Role.QUALITY_OFFICER)
    found = _visible(request.auth.user)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.specification:
        found = found.filter(specification__slug=filters.specification)
    return schemas.paginate(request, found.order_by("-issued_at", "-pk"), filters, _serialize)


@router.get("/{credential_id}", response=schemas.Credential, summary=_("One credential"))
def get_credential(request, credential_id: UUID):
    return _serialize(_readable(request, credential_id))


@router.get(
    "/{credential_id}/jsonld",
    summary=_("Your credential as signed JSON-LD"),
    openapi_extra=_document("application/ld+json", {"type": "object"}),
)
def download_jsonld(request, credential_id: UUID):
    credential = _own(request, credential_id)
    return _download(
        credential.document_json,
        "application/ld+json",
        f"credential-{credential.public_id}.jsonld",
    )


@router.get(
    "/{credential_id}/jwt",
    summary=_("Your credential as a VC-JWT"),
    openapi_extra=_document("application/jwt", {"type": "string"}),
)
def download_jwt(request, credential_id: UUID):
    credential = _own(request, credential_id)
    return _download(credential.jwt, "application/jwt", f"credential-{credential.public_id}.jwt")


@router.get(
    "/{credential_id}/pdf",
    summary=_("Your credential as a PDF certificate"),
    openapi_extra=_document("application/pdf", {"type": "string", "format": "binary"}),
)
def download_pdf(request, credential_id: UUID):
    credential = _own(request, credential_id)
    return _download(
        certificate.render_pdf(credential),
        "application/pdf",
        f"credential-{credential.public_id}.pdf",
    )


@router.post(
    "/{credential_id}/status",
    response=schemas.Credential,
    summary=_("Suspend, reinstate or revoke a credential"),
    description=_("Quality officers only. The learner is told the reason by e-mail."),
    openapi_extra=responses(409),
)
def change_status(request, credential_id: UUID, body: schemas.StatusChange):
    request.auth.require(Scope.CREDENTIALS_MANAGE, Role.QUALITY_OFFICER)
    credential = _visible(request.auth.user).get(public_id=credential_id)
    changed = STATUS_ACTIONS[body.action](credential, actor=request.auth.user, reason=body.reason)
    return _serialize(_visible(request.auth.user).get(pk=changed.pk))
