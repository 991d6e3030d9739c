"""Writes to pipelines: every one validates, runs in a transaction and writes an audit event."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rpl.audit import services as audit
from workflows.models import Pipeline, PipelineVersion, SpecificationPipeline, definition_digest
from workflows.pipelines import schema
from workflows.staffing import services as staffing

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo" / "pipeline_files"


class PipelineServiceError(Exception):
    """A refused pipeline operation; ``str(error)`` is a message for people."""


class InvalidPipeline(PipelineServiceError):
    def __init__(self, errors: list[schema.PipelineError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class NoDraft(PipelineServiceError):
    pass


@dataclass(frozen=True)
class SaveOutcome:
    """What ``save_draft`` did: ``created`` or ``updated`` the draft, or nothing (``unchanged``)."""

    version: PipelineVersion
    outcome: str  # "created", "updated" or "unchanged"


def _validated(definition: Mapping | schema.PipelinePlan) -> schema.PipelinePlan:
    data = schema.to_data(definition) if isinstance(definition, schema.PipelinePlan) else definition
    plan, errors = schema.validate_pipeline(data)
    if errors:
        raise InvalidPipeline(errors)
    return plan


def _locked_pipeline(plan: schema.PipelinePlan, actor) -> Pipeline:
    pipeline = Pipeline.objects.select_for_update().filter(key=plan.key).first()
    if pipeline is not None:
        return pipeline
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(
                key=plan.key, title=plan.title.en or plan.title.pl, title_pl=plan.title.pl or ""
            )
    except IntegrityError:  # created meanwhile by someone else
        return Pipeline.objects.select_for_update().get(key=plan.key)
    audit.record(actor=actor, action="pipeline.created", target=pipeline, changes={"key": plan.key})
    return pipeline


@transaction.atomic
def save_draft(
    *,
    actor,
    definition: Mapping | schema.PipelinePlan,
    source: str = "",
    expected_key: str | None = None,
) -> SaveOutcome:
    """Create or update the pipeline's single draft from a definition (validated here again).

    ``expected_key``: refuse a definition whose key differs (the editor of one pipeline must not
    write another). Saving what is already published, with no draft open, changes nothing.
    """
    plan = _validated(definition)
    if expected_key is not None and plan.key != expected_key:
        raise InvalidPipeline(
            [
                schema.PipelineError(
                    path="key",
                    message=_(
                        "This is the draft of pipeline '%(expected)s': keep that key. To start "
                        "another pipeline, create a new one."
                    )
                    % {"expected": expected_key},
                )
            ]
        )
    data = schema.to_data(plan)
    digest = definition_digest(data)
    source = source.replace("\r\n", "\n") or schema.dump_yaml(data)
    pipeline = _locked_pipeline(plan, actor)
    versions = pipeline.versions.all()
    draft = versions.filter(status=PipelineVersion.Status.DRAFT).first()
    published = versions.filter(status=PipelineVersion.Status.PUBLISHED).first()

    if draft is None and published is not None and published.digest == digest:
        return SaveOutcome(published, "unchanged")
    if draft is not None and draft.digest == digest and draft.source == source:
        return SaveOutcome(draft, "unchanged")

    now = timezone.now()
    if draft is None:
        number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = PipelineVersion.objects.create(
            pipeline=pipeline,
            number=number,
            definition=data,
            source=source,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
            updated_at=now,
        )
        outcome = "created"
    else:
        draft.definition = data
        draft.source = source
        draft.updated_at = now
        draft.save()
        outcome = "updated"
    title, title_pl = plan.title.en or plan.title.pl, plan.title.pl or ""
    if (pipeline.title, pipeline.title_pl) != (title, title_pl):
        pipeline.title, pipeline.title_pl = title, title_pl
        pipeline.save(update_fields=["title", "title_pl"])
    audit.record(
        actor=actor,
        action=f"pipeline.draft_{outcome}",
        target=draft,
        changes={"key": pipeline.key, "version": draft.number, "digest": draft.digest},
    )
    return SaveOutcome(draft, outcome)


@transaction.atomic
def import_text(
    *, actor, text: str, fmt: str | None = None, expected_key: str | None = None
) -> SaveOutcome:
    """Parse YAML or JSON and save it as the draft; ``InvalidPipeline`` lists every error."""
    plan, errors = schema.check_text(text, fmt)
    if errors:
        raise InvalidPipeline(errors)
    fmt = fmt or schema.detect_format(text)
    # Keep the author's YAML (with its comments) as the source; JSON is kept as normalised YAML.
    source = text if fmt == "yaml" else ""
    return save_draft(actor=actor, definition=plan, source=source, expected_key=expected_key)


@transaction.atomic
def publish(*, actor, key: str) -> PipelineVersion:
    """Freeze the pipeline's draft as its published version; the previous one is superseded."""
    pipeline = Pipeline.objects.select_for_update().filter(key=key).first()
    if pipeline is None:
        raise PipelineServiceError(_("There is no pipeline '%(key)s'.") % {"key": key})
    draft = pipeline.versions.filter(status=PipelineVersion.Status.DRAFT).first()
    if draft is None:
        raise NoDraft(
            _("Pipeline '%(key)s' has no draft to publish: save a draft first.") % {"key": key}
        )
    plan = _validated(draft.definition)
    previous = pipeline.versions.filter(status=PipelineVersion.Status.PUBLISHED).first()
    if previous is not None:
        previous.status = PipelineVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    now = timezone.now()
    draft.definition = schema.to_data(plan)
    draft.status = PipelineVersion.Status.PUBLISHED
    draft.published_at = now
    draft.published_by = actor if getattr(actor, "is_authenticated", False) else None
    draft.updated_at = now
    draft.save()
    audit.record(
        actor=actor,
        action="pipeline.published",
        target=draft,
        changes={
            "key": key,
            "version": draft.number,
            "digest": draft.digest,
            "superseded": previous.number if previous else None,
        },
    )
    for link in SpecificationPipeline.objects.filter(pipeline=pipeline).select_related(
        "specification"
    ):
        staffing.refresh(link.specification)
    return draft


@transaction.atomic
def discard_draft(*, actor, key: str) -> int:
    """Delete the pipeline's draft; returns its number."""
    pipeline = Pipeline.objects.select_for_update().filter(key=key).first()
    draft = (
        pipeline.versions.filter(status=PipelineVersion.Status.DRAFT).first() if pipeline else None
    )
    if draft is None:
        raise NoDraft(_("Pipeline '%(key)s' has no draft to discard.") % {"key": key})
    number = draft.number
    audit.record(
        actor=actor,
        action="pipeline.draft_discarded",
        target=draft,
        changes={"key": key, "version": number, "digest": draft.digest},
    )
    draft.delete()
    return number


def install_demo_pipelines(*, actor=None, publish_them: bool = True) -> list[Any]:
    """Import (and publish) the demo pipelines in ``workflows/demo/pipeline_files/``; idempotent."""
    versions = []
    for path in sorted(DEMO_DIR.glob("*.yaml")):
        outcome = import_text(actor=actor, text=path.read_text(encoding="utf-8"), fmt="yaml")
        version = outcome.version
        if publish_them and version.status == PipelineVersion.Status.DRAFT:
            version = publish(actor=actor, key=version.pipeline.key)
        versions.append(version)
    return versions
