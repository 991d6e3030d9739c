"""Reads of pipelines and versions."""

from django.db.models import Prefetch

from workflows.models import Pipeline, PipelineVersion
from workflows.pipelines import schema


def pipelines_overview():
    """Every pipeline with its versions (newest first) in two queries, whatever their number."""
    versions = PipelineVersion.objects.select_related("created_by", "published_by").order_by(
        "-number"
    )
    return Pipeline.objects.order_by("key").prefetch_related(Prefetch("versions", versions))


def pipeline(key: str) -> Pipeline | None:
    return pipelines_overview().filter(key=key).first()


def published_version(key: str) -> PipelineVersion | None:
    """The version new cases of pipeline ``key`` start on, or ``None`` if none is published."""
    return (
        PipelineVersion.objects.select_related("pipeline")
        .filter(pipeline__key=key, status=PipelineVersion.Status.PUBLISHED)
        .first()
    )


def draft_version(key: str) -> PipelineVersion | None:
    return (
        PipelineVersion.objects.select_related("pipeline")
        .filter(pipeline__key=key, status=PipelineVersion.Status.DRAFT)
        .first()
    )


def version(key: str, number: int) -> PipelineVersion | None:
    return (
        PipelineVersion.objects.select_related("pipeline", "created_by", "published_by")
        .filter(pipeline__key=key, number=number)
        .first()
    )


def load_plan(version: PipelineVersion) -> schema.PipelinePlan:
    """The version's plan as schema objects (see ``pipeline_schema`` for the engine's API).

    The definition was validated when it was saved, so the cross-step rules are not applied again:
    a rule added later never makes a version that cases run on unreadable.
    """
    return schema.load_trusted(version.definition)


def export_text(version: PipelineVersion, fmt: str = "yaml") -> str:
    """The normalised definition as YAML or JSON, keys in the schema's order."""
    data = schema.to_data(load_plan(version))
    return schema.dump_json(data) if fmt == "json" else schema.dump_yaml(data)
