"""Pipelines imported from ``data/pipelines/`` and published through
``workflows.pipelines.services``; specifications set up with them through
``workflows.setup.services``."""

from pathlib import Path

import factory

from credentials.catalogue import services as catalogue_services
from credentials.catalogue.vocabularies import ParticipationForm
from tests.factories.catalogue import make_catalogue
from workflows.cases.assessment_elements import assessment_types, contradictions
from workflows.models import Pipeline, PipelineVersion
from workflows.pipelines import schema, services
from workflows.pipelines.selectors import published_version
from workflows.setup import services as setup_services
from workflows.setup.forms import POOLS

PIPELINE_FILES = Path(__file__).parent / "data" / "pipelines"
# Which pipeline assesses each specification of ``catalogue.CATALOGUE``.
CATALOGUE_PIPELINES = {
    "python-basics": "python-basics",
    "agile-project-management": "agile-pm",
    "mig-mag-welding": "welding-mig-mag",
}


class PipelineVersionFactory(factory.Factory):
    """The published version imported from ``data/pipelines/<key>.yaml``."""

    class Meta:
        model = PipelineVersion

    key = "python-basics"

    @classmethod
    def _create(cls, model_class, *, key, actor=None):
        text = (PIPELINE_FILES / f"{key}.yaml").read_text(encoding="utf-8")
        version = services.import_text(actor=actor, text=text, fmt="yaml").version
        if version.status == PipelineVersion.Status.DRAFT:
            version = services.publish(actor=actor, key=key)
        return version


def publish_all(actor=None) -> list[PipelineVersion]:
    """Every pipeline of ``data/pipelines/``, published, in the order of their keys."""
    return [
        PipelineVersionFactory(key=path.stem, actor=actor)
        for path in sorted(PIPELINE_FILES.glob("*.yaml"))
    ]


def pools_of(staff) -> dict[str, set]:
    """The pools each of ``staff`` belongs in, by their roles."""
    return {
        name: {user for user in staff if role in user.roles} for name, (_, role) in POOLS.items()
    }


def agree(specification, key: str) -> None:
    """Make what ``specification`` says of its assessment agree with the published pipeline
    ``key``, as an administrator does before setting it up with it."""
    plan = schema.load_trusted(published_version(key).definition)
    implied = {
        "assessment_type": assessment_types(plan)[0],
        "supervision": schema.supervision_mode(plan),
        "participation_form": ParticipationForm.BLENDED,
    }
    found = contradictions(specification, plan)
    if found:
        fields = {contradiction.element: implied[contradiction.element] for contradiction in found}
        catalogue_services.update_specification(specification, actor=None, fields=fields)
        specification.refresh_from_db()


def set_up(specification, key: str, staff=()) -> None:
    """Assess ``specification`` with the published pipeline ``key`` (what it says of its
    assessment made to agree first); ``staff`` join its pools."""
    agree(specification, key)
    setup_services.set_up(
        actor=None,
        specification=specification,
        pipeline=Pipeline.objects.get(key=key),
        pools=pools_of(staff),
    )


def assessed_catalogue(staff=()) -> dict:
    """The catalogue of ``catalogue.CATALOGUE``, each specification assessed by its pipeline
    and with ``staff`` in its pools; by slug."""
    specifications = make_catalogue()
    publish_all()
    for specification in specifications:
        set_up(specification, CATALOGUE_PIPELINES[specification.slug], staff)
    return {specification.slug: specification for specification in specifications}
