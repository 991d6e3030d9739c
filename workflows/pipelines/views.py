"""Administrators' pages for pipelines: list, versions, the draft editor, publish and export;
and the site's answer to a request it cannot read (``bad_request``, ``handler400``)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.pipelines import schema, selectors, services
from workflows.pipelines.forms import PipelineSourceForm

administrators_only = role_required(Role.ADMINISTRATOR)
logger = logging.getLogger(__name__)

STARTER = """\
# A new pipeline: replace the key, the title and the steps.
key: new-pipeline
title:
  en: New pipeline
  pl: Nowa ścieżka
steps:
  - id: portfolio
    kind: evidence_review
    assessors: 1
    rubric: {min: 0, max: 4}
    pass_rule: {outcome_min_score: 2}
  - id: decision
    kind: decision
"""


def _pipeline_or_404(key):
    pipeline = selectors.pipeline(key)
    if pipeline is None:
        raise Http404
    return pipeline


def _kinds_reference():
    return [
        {
            "kind": kind.value,
            "label": schema.STEP_KIND_LABELS[kind],
            "settings": [
                name
                for name in schema.field_order(schema.STEP_CLASSES[kind])
                if name not in ("id", "kind", "title", "when", "deadline")
            ],
            "measures": list(schema.step_measures(kind)),
        }
        for kind in schema.StepKind
    ]


@administrators_only
def pipeline_list(request):
    return render(
        request,
        "workflows/pipeline_list.html",
        {"pipelines": selectors.pipelines_overview()},
    )


@administrators_only
def pipeline_detail(request, key):
    pipeline = _pipeline_or_404(key)
    return render(
        request,
        "workflows/pipeline_detail.html",
        {"pipeline": pipeline, "versions": pipeline.versions.all()},
    )


def _editor(request, *, pipeline, initial):
    posted = request.method == "POST"
    form = PipelineSourceForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"source": initial},
        pipeline=pipeline,
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.save_draft(
                actor=request.user,
                definition=form.plan,
                source=form.cleaned_data["source"],
                expected_key=pipeline.key if pipeline else None,
            )
        except services.InvalidPipeline as exc:
            form.pipeline_errors = exc.errors
            form.add_error("source", [str(error) for error in exc.errors])
        else:
            version = outcome.version
            if outcome.outcome == "unchanged" and version.is_frozen:
                messages.info(
                    request,
                    _("Nothing changed: this is the published version %(number)d.")
                    % {"number": version.number},
                )
            else:
                messages.success(
                    request,
                    _("Draft version %(number)d saved. Publish it when it is ready.")
                    % {"number": version.number},
                )
            return redirect("workflows:pipeline_detail", key=version.pipeline.key)
    return render(
        request,
        "workflows/draft_edit.html",
        {"form": form, "pipeline": pipeline, "kinds": _kinds_reference()},
    )


@administrators_only
def pipeline_new(request):
    return _editor(request, pipeline=None, initial=STARTER)


@administrators_only
def draft_edit(request, key):
    pipeline = _pipeline_or_404(key)
    base = pipeline.draft_version or pipeline.published_version
    initial = ""
    if base is not None:
        initial = base.source or selectors.export_text(base)
    return _editor(request, pipeline=pipeline, initial=initial)


@administrators_only
@require_POST
def draft_publish(request, key):
    _pipeline_or_404(key)
    try:
        version = services.publish(actor=request.user, key=key)
    except services.InvalidPipeline as exc:
        messages.error(
            request,
            _("The draft cannot be published: %(errors)s") % {"errors": exc},
        )
    except services.PipelineServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(number)d is published; new cases start on it.")
            % {"number": version.number},
        )
    return redirect("workflows:pipeline_detail", key=key)


@administrators_only
@require_POST
def draft_discard(request, key):
    _pipeline_or_404(key)
    try:
        number = services.discard_draft(actor=request.user, key=key)
    except services.PipelineServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Draft version %(number)d discarded.") % {"number": number})
    return redirect("workflows:pipeline_detail", key=key)


def _compact(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{name} {_compact(item)}" for name, item in value.items())
    return schema.format_value(value)


def _step_rows(plan):
    rows = []
    for index, step in enumerate(plan.steps, start=1):
        settings = step.model_dump(
            mode="json", exclude={"id", "kind", "title", "when", "deadline"}, exclude_none=True
        )
        rows.append(
            {
                "number": index,
                "step": step,
                "kind_label": schema.STEP_KIND_LABELS[step.kind],
                "settings": [(name, _compact(value)) for name, value in settings.items()],
                "when": schema.describe_condition(step.when),
                "escalate_to": (
                    schema.ESCALATION_LABELS[step.deadline.escalate_to] if step.deadline else ""
                ),
            }
        )
    return rows


@administrators_only
def version_detail(request, key, number):
    version = selectors.version(key, number)
    if version is None:
        raise Http404
    plan = selectors.load_plan(version)
    mode = schema.supervision_mode(plan)
    return render(
        request,
        "workflows/version_detail.html",
        {
            "version": version,
            "pipeline": version.pipeline,
            "plan": plan,
            "rows": _step_rows(plan),
            "supervision": mode.label,
            "normalised": selectors.export_text(version),
        },
    )


@administrators_only
def version_export(request, key, number, fmt):
    version = selectors.version(key, int(number))
    if version is None:
        raise Http404
    content_type = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(
        selectors.export_text(version, fmt), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{key}-v{version.number}.{fmt}"'
    return response


EDITOR_PAGES = {"workflows:pipeline_new", "workflows:draft_edit"}


def bad_request(request, exception=None):
    """The 400 page (``handler400``), in the visitor's language. Above all for a form larger than
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, which Django refuses before any view runs (so the page that
    sent it cannot show it again): it says what the limit is and to go back with the browser,
    which keeps what was typed."""
    match = getattr(request, "resolver_match", None)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    context = {
        "too_big": isinstance(exception, RequestDataTooBig),
        "limit_mb": limit / (1024 * 1024) if limit else None,
        # The same words as the editor and the command line use for a text over the limit.
        "pipeline_limit": (
            _("The text is too long: a pipeline has at most %(max)d characters.")
            % {"max": schema.MAX_SOURCE_CHARS}
            if match and match.view_name in EDITOR_PAGES
            else ""
        ),
    }
    try:
        return render(request, "400.html", context, status=400)
    except Exception:
        # A request this broken (a host not allowed, say) may not render the site's pages.
        logger.exception("The 400 page could not be rendered")
        return HttpResponseBadRequest(
            "<!doctype html><title>Bad Request (400)</title><h1>Bad Request (400)</h1>"
        )
