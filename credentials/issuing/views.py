"""Pages and documents for issued credentials.

Public (no log-in): the verification page of a credential (HTML, or the JSON-LD by content
negotiation), the verify form, the issuers' DID documents, the status lists and our JSON-LD
extension context, the badge images. Candidates: their wallet, the page of a new award and
downloads. Quality officers: the list of issued
credentials and the revoke / suspend / reinstate form.
"""

import hashlib
import json
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from credentials.catalogue.models import Organisation, Specification
from credentials.elm import mapping as elm
from credentials.elm import sealing
from credentials.issuing import badges, certificate, holders, keys, status_lists, verification
from credentials.issuing import documents as issuing
from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.lib.jsonld_loader import shipped_contexts
from rpl.site import absolute

JSONLD_TYPES = ("application/ld+json", "application/vc+ld+json", "application/vc")
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def _public_json(data, content_type: str, max_age: int) -> HttpResponse:
    response = JsonResponse(data, content_type=content_type, json_dumps_params={"indent": 2})
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _raw_json(text: str, content_type: str, max_age: int) -> HttpResponse:
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    response["ETag"] = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'
    return response


# Machine-readable documents -----------------------------------------------------------------


@require_GET
def context_document(request, name):
    """The extension contexts, for convenience: credentials name the permanent IRI (shipped with
    the application), or this URL if they were issued before it existed."""
    if name == issuing.PERMANENT_CONTEXT_FILE:
        return _public_json(
            shipped_contexts()[issuing.EXTENSION_CONTEXT], "application/ld+json", 86400
        )
    if name != issuing.EXTENSION_CONTEXT_FILE.name:
        raise Http404
    return _public_json(issuing.extension_context(), "application/ld+json", 86400)


@require_GET
def did_document(request, org):
    organisation = get_object_or_404(Organisation, pk=org)
    try:
        document = keys.did_document(organisation)
    except keys.IssuerKeyError:
        raise Http404 from None
    return _public_json(document, "application/did+json", 300)


@require_GET
def status_list(request, org, purpose, number):
    found = get_object_or_404(StatusList, organisation_id=org, purpose=purpose, number=number)
    status_lists.published(found)
    response = _raw_json(found.credential_json, "application/vc", status_lists.TTL_SECONDS)
    if request.headers.get("If-None-Match") == response["ETag"]:
        not_modified = HttpResponse(status=304)
        for header in ("ETag", "Cache-Control", "Access-Control-Allow-Origin"):
            not_modified[header] = response[header]
        return not_modified
    return response


# The public verification page -------------------------------------------------------------------


def _checks(report):
    labels = {
        "format": _("Format"),
        "signature": _("Signature"),
        "status": _("Status"),
        "dates": _("Dates"),
    }
    return [(labels.get(check.name, check.name), check) for check in report.checks]


def _page_head(credential, document: dict) -> tuple[dict, str]:
    about = issuing.describe(document)
    context = {
        "about": about,
        "badge_url": badge_url(credential.specification),
        "page_url": issuing.credential_url(credential.public_id),
    }
    return about, render_to_string("credentials/issued/_credential_head.html", context)


def _page_body(credential, about: dict, report) -> str:
    """The page's content for this outcome of the verification, rendered once per outcome."""
    outcome = (
        report.revoked,
        report.suspended,
        report.expired,
        report.key_unavailable,
        tuple((check.name, check.ok, check.message) for check in report.checks),
    )
    language = translation.get_language()
    context = {
        "credential": credential,
        "about": about,
        "report": report,
        "checks": _checks(report),
        "badge_path": reverse("issued:badge", args=[credential.specification.slug, "svg"]),
        "LANGUAGE_CODE": language,
    }
    return verification.remember(
        ("page", credential.public_id, language, outcome),
        lambda: render_to_string("credentials/issued/_credential_body.html", context),
    )


@require_GET
def credential_page(request, public_id):
    # What the page reads of an issued credential never changes (its state lives in the status
    # lists) and it is never deleted: each process reads it once.
    credential = verification.remember(
        ("credential", public_id),
        lambda: get_object_or_404(
            IssuedCredential.objects.select_related("specification").only(
                "public_id", "document_json", "issued_at", "specification__slug"
            ),
            public_id=public_id,
        ),
    )
    preferred = request.get_preferred_type(["text/html", *JSONLD_TYPES, "application/json"])
    if preferred and preferred != "text/html":
        response = _raw_json(credential.document_json, preferred, 60)
        response["Vary"] = "Accept"
        return response
    report = verification.verify_issued(credential)
    # What the credential says never changes; only whether it may be shown does.
    about, head = verification.remember(
        ("about", credential.public_id, translation.get_language()),
        lambda: _page_head(credential, report.credential),
    )
    response = render(
        request,
        "credentials/issued/credential.html",
        {"about": about, "head": head, "body": _page_body(credential, about, report)},
    )
    response["Vary"] = "Accept, Accept-Language, Cookie"
    response["Link"] = f'<{request.path}>; rel="alternate"; type="application/ld+json"'
    return response


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=gettext_lazy("Paste the credential"),
        help_text=gettext_lazy("A JSON-LD credential, or a VC-JWT (three parts joined by dots)."),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        required=False,
        max_length=verification.MAX_INPUT_BYTES,
    )
    file = forms.FileField(
        label=gettext_lazy("Or choose a credential file"),
        help_text=gettext_lazy("A .json, .jsonld, .jwt or .jws file of at most 256 KB."),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > verification.MAX_INPUT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 256 KB: a credential is much smaller.")
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and not cleaned.get("credential", "").strip()
            and not cleaned.get("file")
        ):
            raise forms.ValidationError(_("Paste a credential or choose a file to verify."))
        return cleaned

    def text(self):
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(verification.MAX_INPUT_BYTES + 1)
        return self.cleaned_data["credential"]


@require_http_methods(["GET", "POST"])
def verify_form(request):
    report = about = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            report = verification.verify_text(form.text())
            if report.authentic_credential is not None:
                try:
                    about = issuing.describe(report.authentic_credential)
                except (AttributeError, TypeError, ValueError):
                    about = None
    else:
        form = VerifyForm()
    return render(
        request,
        "credentials/issued/verify.html",
        {
            "form": form,
            "report": report,
            "about": about,
            "checks": _checks(report) if report else [],
        },
        status=200,
    )


# The learner's wallet ---------------------------------------------------------------------------


def linkedin_url(credential: IssuedCredential) -> str:
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.specification.title,
        "organizationName": credential.organisation.name,
        "issueYear": credential.issued_at.year,
        "issueMonth": credential.issued_at.month,
        "certUrl": issuing.credential_url(credential.public_id),
        "certId": str(credential.public_id),
    }
    if credential.valid_until:
        params["expirationYear"] = credential.valid_until.year
        params["expirationMonth"] = credential.valid_until.month
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


class HolderDidForm(forms.Form):
    did = forms.CharField(
        label=gettext_lazy("Your wallet DID"),
        help_text=gettext_lazy("A did:key or did:jwk with an Ed25519 key, from your wallet."),
        max_length=2000,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    proof = forms.CharField(
        label=gettext_lazy("Signed challenge"),
        help_text=gettext_lazy(
            "A compact JWS (three parts joined by dots) signed with your DID's key, whose "
            "payload is the challenge (or a JSON object whose nonce is the challenge)."
        ),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )


@role_required(Role.CANDIDATE)
def wallet(request, holder_form=None):
    credentials = list(
        IssuedCredential.objects.filter(learner=request.user).select_related(
            "specification", "organisation"
        )
    )
    rows = [
        {
            "credential": credential,
            "usable": credential.state == IssuedCredential.State.ACTIVE
            and not credential.is_expired,
            "linkedin": linkedin_url(credential),
        }
        for credential in credentials
    ]
    return render(
        request,
        "credentials/issued/wallet.html",
        {
            "rows": rows,
            "nav": "wallet",
            "holder": holders.current_challenge(request.user),
            "holder_form": holder_form or HolderDidForm(),
        },
        status=400 if holder_form is not None else 200,
    )


@role_required(Role.CANDIDATE)
@require_http_methods(["POST"])
def holder_did(request):
    form = HolderDidForm(request.POST)
    if form.is_valid():
        refusal = holders.bind_did(
            request.user, form.cleaned_data["did"], form.cleaned_data["proof"]
        )
        if refusal is None:
            messages.success(
                request, _("Your DID is recorded: credentials issued from now on name it.")
            )
            return redirect("issued:wallet")
        form.add_error(None, refusal)
    return wallet(request, holder_form=form)


@role_required(Role.CANDIDATE)
@require_http_methods(["POST"])
def holder_did_remove(request):
    holders.unbind_did(request.user)
    messages.success(
        request, _("Your DID is removed: credentials issued from now on do not name it.")
    )
    return redirect("issued:wallet")


BADGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def badge(request, slug, fmt):
    """The badge image of a specification that has been published (issued credentials show it
    after it is retired too), in the active language (``?lang=pl`` or ``en``)."""
    if fmt not in BADGE_TYPES:
        raise Http404
    specification = get_object_or_404(
        Specification.objects.select_related("awarding_body"),
        slug=slug,
        published_at__isnull=False,
    )
    language = request.GET.get("lang")
    with translation.override(language if language in dict(settings.LANGUAGES) else None):
        body = badges.svg(specification) if fmt == "svg" else badges.png(specification)
    response = HttpResponse(body, content_type=BADGE_TYPES[fmt])
    response["Cache-Control"] = "public, max-age=3600"
    return response


def badge_url(specification, fmt="png") -> str:
    """The absolute address of the specification's badge in the active language."""
    path = reverse("issued:badge", args=[specification.slug, fmt])
    return absolute(f"{path}?{urlencode({'lang': translation.get_language() or 'en'})}")


@role_required(Role.CANDIDATE)
def ready(request, public_id):
    """ "Your credential is ready": the moment of the award, for its holder only."""
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("specification", "organisation"),
        public_id=public_id,
        learner=request.user,
    )
    link = issuing.credential_url(credential.public_id)
    about = issuing.describe(credential.document)
    subject = _("My micro-credential: %(title)s") % {"title": about["title"]}
    body = _("%(title)s, awarded by %(issuer)s. Anyone can verify it here: %(link)s") % {
        "title": about["title"],
        "issuer": about["issuer"],
        "link": link,
    }
    return render(
        request,
        "credentials/issued/ready.html",
        {
            "credential": credential,
            "about": about,
            "link": link,
            "usable": credential.state == IssuedCredential.State.ACTIVE
            and not credential.is_expired,
            "linkedin": linkedin_url(credential),
            "mailto": f"mailto:?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}",
            "nav": "wallet",
        },
    )


@role_required(Role.CANDIDATE)
def download(request, public_id, fmt):
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("specification", "organisation"),
        public_id=public_id,
        learner=request.user,
    )
    stem = f"credential-{credential.public_id}"
    if fmt == "jsonld":
        response = HttpResponse(credential.document_json, content_type="application/ld+json")
        filename = f"{stem}.jsonld"
    elif fmt == "jwt":
        response = HttpResponse(credential.jwt, content_type="text/plain; charset=us-ascii")
        filename = f"{stem}.jwt"
    elif fmt == "pdf":
        response = HttpResponse(certificate.render_pdf(credential), content_type="application/pdf")
        filename = f"{stem}.pdf"
    elif fmt == "elm":
        document = sealing.seal(elm.europass_credential(credential))
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/ld+json"
        )
        filename = f"{stem}-europass.jsonld"
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Quality officers -------------------------------------------------------------------------------


class StatusChangeForm(forms.Form):
    ACTIONS = {
        "suspend": issuing_services.suspend,
        "reinstate": issuing_services.reinstate,
        "revoke": issuing_services.revoke,
    }
    action = forms.ChoiceField(
        label=gettext_lazy("Change"),
        choices=[
            ("suspend", gettext_lazy("Suspend (reversible)")),
            ("reinstate", gettext_lazy("Reinstate a suspended credential")),
            ("revoke", gettext_lazy("Revoke (final)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("The learner receives this reason by e-mail."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@role_required(Role.QUALITY_OFFICER)
def issued_list(request):
    credentials = IssuedCredential.objects.select_related(
        "specification", "organisation", "learner"
    )[:200]
    return render(
        request, "credentials/issued/manage.html", {"credentials": credentials, "nav": "issued"}
    )


@role_required(Role.QUALITY_OFFICER)
@require_http_methods(["GET", "POST"])
def change_status(request, public_id):
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("specification", "organisation", "learner"),
        public_id=public_id,
    )
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = StatusChangeForm.ACTIONS[form.cleaned_data["action"]]
        try:
            action(credential, actor=request.user, reason=form.cleaned_data["reason"])
        except issuing_services.StatusChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The credential's status has been changed."))
            return redirect("issued:change_status", public_id=credential.public_id)
    return render(
        request,
        "credentials/issued/change_status.html",
        {"credential": credential, "form": form, "nav": "issued"},
        status=400 if form.errors else 200,
    )
