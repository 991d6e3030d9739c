"""The candidate's pages: apply, self-assess, evidence, uploads, mapping; file downloads. Thin: the
work is in ``services``, ``uploads`` and ``selectors``. The witness pages are in
``evidence.witnesses.views``.

A candidate reaches only their own application: anybody else's id answers 404.
"""

import json

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from credentials.catalogue.models import Specification
from credentials.catalogue.selectors import get_published_specification, outcomes_of
from evidence.models import Application, EvidenceItem, Upload
from evidence.portfolio import selectors, services
from evidence.portfolio.forms import ItemForm, SelfAssessmentForm, UploadForm
from evidence.signals import listing_applications
from evidence.uploads import services as uploads
from evidence.uploads import storage
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role

candidate_only = role_required(Role.CANDIDATE)


def candidate_application(request, pk) -> Application:
    """The signed-in candidate's own application ``pk``; anybody else's is a 404."""
    try:
        return selectors.application_of(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _item(application, item_pk) -> EvidenceItem:
    return get_object_or_404(EvidenceItem, pk=item_pk, application=application)


@candidate_only
def applications(request):
    listed = list(selectors.applications_of(request.user))
    listing_applications.send(sender=Application, candidate=request.user, applications=listed)
    return render(request, "evidence/applications.html", {"applications": listed})


@require_http_methods(["GET", "POST"])
@candidate_only
def apply(request, slug):
    try:
        spec = get_published_specification(slug=slug)
    except Specification.DoesNotExist:
        raise Http404 from None
    if not spec.assessment_ready:
        messages.error(request, services.NOT_OPEN_YET)
        return redirect("credentials:detail", slug=slug)
    if request.method == "POST":
        try:
            application = services.start_application(candidate=request.user, specification=spec)
        except services.ApplicationError as error:
            messages.error(request, str(error))
            return redirect("credentials:detail", slug=slug)
        messages.success(
            request, _("Your application has started. Begin with the self-assessment.")
        )
        return redirect("evidence:application", pk=application.pk)
    existing = next(
        (
            a
            for a in selectors.applications_of(request.user)
            if a.specification_id == spec.pk and a.status != Application.Status.WITHDRAWN
        ),
        None,
    )
    return render(
        request,
        "evidence/apply.html",
        {"spec": spec, "outcomes": outcomes_of(spec), "existing": existing},
    )


@candidate_only
def application(request, pk):
    app = candidate_application(request, pk)
    items = selectors.items_of(app)
    rows = selectors.coverage(app, items)
    return render(
        request,
        "evidence/application.html",
        {
            "application": app,
            "items": items,
            "rows": rows,
            "covered": sum(1 for row in rows if row.covered),
            "assessed": sum(
                1 for row in rows if row.self_assessment and row.self_assessment.narrative
            ),
            "witness_requests": selectors.witness_requests_of(app),
            "snapshots": selectors.snapshots_of(app),
        },
    )


@require_http_methods(["GET", "POST"])
@candidate_only
def self_assessment(request, pk):
    app = candidate_application(request, pk)
    outcomes = outcomes_of(app.specification)
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, outcomes=outcomes)
        if form.is_valid():
            try:
                services.save_self_assessment(app, actor=request.user, answers=form.answers())
            except services.ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your self-assessment is saved."))
                return redirect("evidence:application", pk=app.pk)
    else:
        answers = {sa.outcome_id: sa for sa in app.self_assessments.all()}
        initial = {}
        for outcome_id, answer in answers.items():
            initial[f"confidence_{outcome_id}"] = answer.confidence
            initial[f"narrative_{outcome_id}"] = answer.narrative
        form = SelfAssessmentForm(initial=initial, outcomes=outcomes)
    return render(request, "evidence/self_assessment.html", {"application": app, "form": form})


@require_http_methods(["GET", "POST"])
@candidate_only
def evidence(request, pk):
    """The list of evidence and the upload form (several files; no JavaScript needed)."""
    app = candidate_application(request, pk)
    refused = []
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            refused.append(_("Choose at least one file to upload."))
        added = 0
        for upload in files:
            try:
                uploads.add_file(
                    app, actor=request.user, source=upload, name=upload.name, size=upload.size
                )
                added += 1
            except (services.ApplicationError, storage.UploadError) as error:
                refused.append(getattr(error, "message", str(error)))
        if added:
            messages.success(
                request,
                _("%(count)s file(s) uploaded. Now give each a title and the outcomes it supports.")
                % {"count": added},
            )
        if not refused:
            return redirect("evidence:evidence", pk=app.pk)
    items = selectors.items_of(app)
    return render(
        request,
        "evidence/evidence.html",
        {
            "application": app,
            "items": items,
            "upload_form": UploadForm(),
            "refused": refused,
            "max_mb": storage.max_file_bytes() // (1024 * 1024),
            "quota_mb": storage.quota_bytes() // (1024 * 1024),
            "used": storage.megabytes(uploads.used_bytes(app)),
            "accepted": storage.ACCEPTED_TYPES,
        },
        status=400 if refused else 200,
    )


@require_http_methods(["GET", "POST"])
@candidate_only
def add_item(request, pk, kind):
    app = candidate_application(request, pk)
    if kind not in (EvidenceItem.Kind.LINK, EvidenceItem.Kind.STATEMENT):
        raise Http404
    form = ItemForm(request.POST or None, kind=kind, specification=app.specification)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcomes = data.pop("outcomes")
        try:
            services.add_item(app, actor=request.user, kind=kind, outcomes=outcomes, **data)
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your evidence is saved."))
            return redirect("evidence:evidence", pk=app.pk)
    return render(
        request,
        "evidence/item_form.html",
        {"application": app, "form": form, "kind": EvidenceItem.Kind(kind), "item": None},
    )


@require_http_methods(["GET", "POST"])
@candidate_only
def edit_item(request, pk, item_pk):
    app = candidate_application(request, pk)
    item = _item(app, item_pk)
    if item.kind == EvidenceItem.Kind.TESTIMONY or item.frozen:
        raise Http404
    initial = {
        "title": item.title,
        "date": item.date,
        "context": item.context,
        "url": item.url,
        "statement": item.statement,
        "outcomes": [m.outcome_id for m in item.mapping.all()],
    }
    form = ItemForm(
        request.POST or None, initial=initial, kind=item.kind, specification=app.specification
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcomes = data.pop("outcomes")
        try:
            services.update_item(item, actor=request.user, outcomes=outcomes, **data)
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your evidence is saved."))
            return redirect("evidence:evidence", pk=app.pk)
    return render(
        request,
        "evidence/item_form.html",
        {"application": app, "form": form, "kind": EvidenceItem.Kind(item.kind), "item": item},
    )


@require_POST
@candidate_only
def delete_item(request, pk, item_pk):
    app = candidate_application(request, pk)
    item = _item(app, item_pk)
    try:
        services.delete_item(item, actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” was removed.") % {"title": item.title})
    return redirect("evidence:evidence", pk=app.pk)


@never_cache
@candidate_only
def download(request, pk, item_pk):
    """A file, to its owner, always as an attachment under its sanitised display name."""
    app = candidate_application(request, pk)
    item = _item(app, item_pk)
    if item.kind != EvidenceItem.Kind.FILE or not item.storage_name:
        raise Http404
    response = FileResponse(
        storage.open_stored(item.storage_name),
        as_attachment=True,
        filename=item.display_name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@candidate_only
def matrix(request, pk):
    app = candidate_application(request, pk)
    items = selectors.items_of(app)
    rows = selectors.coverage(app, items)
    return render(
        request,
        "evidence/matrix.html",
        {
            "application": app,
            "items": items,
            "rows": rows,
            "missing": [row for row in rows if not row.covered],
            "problems": services.missing_before_submit(app),
        },
    )


# Resumable uploads: JSON endpoints used by evidence/static/evidence/upload.js -----------------


def _json_error(message, code, status):
    return JsonResponse({"error": message, "code": code}, status=status)


@require_POST
@candidate_only
def upload_start(request, pk):
    app = candidate_application(request, pk)
    try:
        data = json.loads(request.body or b"{}")
        name = str(data["name"])[:1000]
        size = int(data["size"])
    except (ValueError, KeyError, TypeError):
        return _json_error(_("The upload request was not understood."), "bad_request", 400)
    try:
        upload = uploads.begin_upload(app, actor=request.user, name=name, size=size)
    except storage.UploadError as error:
        status = 413 if error.code in {"too_large", "over_quota"} else 400
        return _json_error(error.message, error.code, status)
    except services.ApplicationError as error:
        return _json_error(str(error), "closed", 409)
    return JsonResponse(_upload_state(upload), status=201)


def _upload_state(upload: Upload) -> dict:
    return {
        "id": str(upload.pk),
        "name": upload.display_name,
        "size": upload.size,
        "offset": upload.received,
        "done": upload.item_id is not None,
        "url": reverse("evidence:upload_chunk", args=[upload.application_id, upload.pk]),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@candidate_only
def upload_chunk(request, pk, upload_id):
    """GET: how much the server holds (resume from there). POST: the next chunk, raw bytes,
    at ``?offset=``; read in small pieces, never whole."""
    app = candidate_application(request, pk)
    upload = get_object_or_404(Upload, pk=upload_id, application=app)
    if request.method == "GET":
        return JsonResponse(_upload_state(upload))
    try:
        offset = int(request.GET.get("offset", ""))
    except ValueError:
        return _json_error(_("The upload request was not understood."), "bad_request", 400)
    try:
        upload = uploads.receive_chunk(upload, actor=request.user, stream=request, offset=offset)
    except storage.UploadError as error:
        status = {"wrong_offset": 409, "forbidden_type": 415}.get(error.code, 400)
        state = {"error": error.message, "code": error.code}
        if error.code == "wrong_offset":
            upload.refresh_from_db()
            state |= _upload_state(upload)
        return JsonResponse(state, status=status)
    except services.ApplicationError as error:
        return _json_error(str(error), "closed", 409)
    return JsonResponse(_upload_state(upload))
