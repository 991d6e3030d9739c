"""Every error of the API as an RFC 9457 problem (``application/problem+json``).

Views raise; the handlers registered by :func:`install` turn exceptions into problems, with
``errors`` naming each invalid field by its path (``body.title``, ``query.limit``).
"""

import json
import logging
from functools import wraps
from http import HTTPStatus

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from credentials.issuing.services import StatusChangeError
from evidence.portfolio import services as evidence_services
from evidence.uploads import storage

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    message: str
    code: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """A refusal with its status, a short code (the problem type) and a message for people."""

    def __init__(self, status: int, code: str, detail: str, errors=()):
        super().__init__(detail)
        self.status, self.code, self.detail, self.errors = status, code, detail, list(errors)


def problem_response(status: int, detail: str, *, code: str = "", errors=()) -> HttpResponse:
    body = {
        "type": f"/api/v1/docs#problem-{code}" if code else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "errors": list(errors),
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )


# Validation errors: pydantic's words for the common cases, in the user's language.
def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_short", "too_short"} and ctx.get("min_length") == 1:
        return _("This field may not be empty.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Give a whole number.")
    if kind == "greater_than_equal":
        return _("Give a number of at least %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Give a number of at most %(n)s.") % {"n": ctx.get("le")}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body is not the JSON object this operation expects.")
    if kind in {"string_type", "uuid_parsing", "uuid_type"}:
        return _("This value has the wrong type.")
    if kind == "value_error":
        return _("This value contains characters that are not allowed.")
    return str(error.get("msg", _("This value is not valid.")))


def _field(loc) -> str:
    parts = [str(part) for part in loc]
    # ninja puts the parameter's name after its source: ("body", "body", "title").
    if len(parts) > 1 and parts[0] == parts[1]:
        del parts[1]
    return ".".join(parts)


def _validation(request, exc: ValidationError):
    errors = [
        {"field": _field(e.get("loc", ())), "message": _message(e), "code": e.get("type", "")}
        for e in exc.errors
    ]
    return problem_response(
        422, _("Some values are not valid: see errors."), code="validation", errors=errors
    )


def _http_error(request, exc: HttpError):
    if isinstance(exc, Throttled):
        return problem_response(
            429, _("Too many requests: wait a little and try again."), code="rate-limit"
        )
    if isinstance(exc, AuthenticationError):
        response = problem_response(
            401,
            _("Log in, or send a valid API token: Authorization: Bearer <token>."),
            code="unauthenticated",
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":
        return problem_response(
            403, _("The CSRF token is missing or wrong: reload the page."), code="csrf"
        )
    if exc.status_code == 400:
        return problem_response(400, _("The request body could not be read: send valid JSON."))
    return problem_response(exc.status_code, str(exc))


def _api_problem(request, exc: ApiProblem):
    return problem_response(exc.status, exc.detail, code=exc.code, errors=exc.errors)


def form_problem(form, prefix: str) -> ApiProblem:
    """A Django form's errors as a 422 problem; each field named ``<prefix>.<field>``."""
    errors = [
        {
            "field": f"{prefix}.{name}" if name != "__all__" else prefix,
            "message": error["message"],
            "code": error["code"] or "invalid",
        }
        for name, field_errors in form.errors.get_json_data().items()
        for error in field_errors
    ]
    return ApiProblem(422, "validation", _("Some values are not valid: see errors."), errors)


def _not_found(request, exc):
    return problem_response(404, _("There is nothing here, or it is not yours to see."))


def _forbidden(request, exc):
    return problem_response(403, _("You may not do this."), code="forbidden")


def _too_big(request, exc):
    return problem_response(413, _("The request is too large."), code="too-large")


def _unreadable_body(request, exc):
    return problem_response(
        400, _("The request body could not be read as multipart/form-data."), code="malformed"
    )


UPLOAD_STATUS = {"too_large": 413, "over_quota": 413, "forbidden_type": 415, "empty": 400}


def _upload_refused(request, exc: storage.UploadError):
    return problem_response(
        UPLOAD_STATUS.get(exc.code, 422), exc.message, code=f"upload-{exc.code}".replace("_", "-")
    )


def _conflict(request, exc):
    return problem_response(409, str(exc), code="conflict")


def _unexpected(request, exc):
    logger.exception("API error", exc_info=exc)
    return problem_response(500, _("Something went wrong on our side. Please try again later."))


def install(api) -> None:
    for exc_class, handler in [
        (Exception, _unexpected),
        (ValidationError, _validation),
        (HttpError, _http_error),
        (ApiProblem, _api_problem),
        (Http404, _not_found),
        (ObjectDoesNotExist, _not_found),
        (PermissionDenied, _forbidden),
        (RequestDataTooBig, _too_big),
        (MultiPartParserError, _unreadable_body),
        (storage.UploadError, _upload_refused),
        (evidence_services.ApplicationError, _conflict),
        (StatusChangeError, _conflict),
    ]:
        api.add_exception_handler(exc_class, handler)


def with_problem_405(view):
    """ninja answers a method an operation lacks with plain text: make it a problem."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response["Allow"]
            response = problem_response(
                405,
                _("This address does not accept %(method)s; it accepts %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapped


def not_found_view(request, *args, **kwargs):
    return _not_found(request, None)


def responses(*statuses: int) -> dict:
    """OpenAPI error responses of an operation, for ``openapi_extra``."""
    return {
        "responses": {
            status: {
                "description": HTTPStatus(status).phrase,
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
            for status in statuses
        }
    }
