"""One truth: what a specification says of its assessment agrees with its pipeline, when it is
published, edited or given a pipeline, and the credential says what the pipeline implies."""

from pathlib import Path

import pytest
import yaml
from django.utils import translation

from credentials.catalogue import demo as catalogue_demo
from credentials.catalogue import services
from credentials.catalogue.models import Specification
from credentials.catalogue.vocabularies import (
    AssessmentType,
    ParticipationForm,
    Status,
    Supervision,
    concept,
)
from credentials.issuing.services import issue_credential
from tests.factories import make_user
from tests.factories.catalogue import make_specification
from tests.factories.pipelines import PipelineVersionFactory
from workflows.cases import services as case_services
from workflows.cases.assessment_elements import assessment_type, assessment_types, contradictions
from workflows.demo.engine import SPECIFICATION_PIPELINES
from workflows.models import Pipeline
from workflows.pipelines import schema
from workflows.setup import services as setup

pytestmark = pytest.mark.django_db

DEMO_PIPELINES = Path(__file__).parents[2] / "workflows" / "demo" / "pipeline_files"
# What the Python basics pipeline implies: a portfolio review and an unsupervised online test.
AGREEING = {
    "assessment_type": AssessmentType.COMBINED,
    "supervision": Supervision.UNSUPERVISED_NO_ID,
    "participation_form": ParticipationForm.ONLINE,
}
CONTRADICTING = {**AGREEING, "supervision": Supervision.SUPERVISED_ONLINE_WITH_ID}


@pytest.fixture
def version(db):
    return PipelineVersionFactory(key="python-basics")


def _assessed_by(version, **fields) -> Specification:
    specification = make_specification(status=Status.DRAFT, **fields)
    case_services.assign_pipeline(
        actor=None, specification=specification, pipeline=version.pipeline
    )
    return specification


@pytest.mark.parametrize(
    ("language", "says", "pipeline"),
    [
        ("en", "Supervised online, with identity verification", "Python programming basics"),
        ("pl", "Pod nadzorem online, z weryfikacją tożsamości", "Podstawy programowania"),
    ],
)
def test_it_refuses_to_publish_what_its_pipeline_contradicts(version, language, says, pipeline):
    specification = _assessed_by(version, **CONTRADICTING)
    with translation.override(language), pytest.raises(services.NotPublishable) as refused:
        services.publish_specification(specification, actor=None)
    # Both sides named: what the specification says, and the pipeline that says otherwise.
    [problem] = [problem for problem in refused.value.problems if says in problem]
    assert pipeline in problem
    if language == "en":
        assert problem.endswith("has no identity check and an unsupervised test.")
    specification.refresh_from_db()
    assert specification.status == Status.DRAFT


def test_it_publishes_and_edits_what_agrees_and_keeps_the_edit_as_a_form_error(
    version, client, administrator, assessor, decision_maker
):
    specification = make_specification(status=Status.DRAFT, appeal_window_days=0, **AGREEING)
    setup.set_up(
        actor=None,
        specification=specification,
        pipeline=version.pipeline,
        pools={"assessors": {assessor}, "decision_makers": {decision_maker}},
    )
    assert services.publish_specification(specification, actor=None).is_published
    client.force_login(administrator)
    url = f"/catalogue/manage/{specification.pk}/edit/"
    data = {
        name: value
        for name, value in client.get(url).context["form"].initial.items()
        if value is not None
    }
    outcomes = list(specification.outcomes.order_by("position"))
    data |= {
        "supervision": Supervision.SUPERVISED_ONSITE_WITH_ID,
        "outcomes-TOTAL_FORMS": str(len(outcomes)),
        "outcomes-INITIAL_FORMS": str(len(outcomes)),
    }
    for i, outcome in enumerate(outcomes):
        data |= {f"outcomes-{i}-id": outcome.pk, f"outcomes-{i}-ORDER": outcome.position}
        for name in services.OUTCOME_FIELDS:
            data[f"outcomes-{i}-{name}"] = getattr(outcome, name)
    response = client.post(url, data)
    form = response.context["form"]
    assert "has no identity check" in form.errors["supervision"][0]
    assert form["supervision"].value() == Supervision.SUPERVISED_ONSITE_WITH_ID  # kept
    specification.refresh_from_db()
    assert specification.supervision == Supervision.UNSUPERVISED_NO_ID


def test_it_refuses_a_pipeline_that_contradicts_a_published_specification(
    version, client, administrator
):
    specification = make_specification(**CONTRADICTING)
    pipeline = Pipeline.objects.get(key="python-basics")
    with pytest.raises(setup.SetupRefused, match="Python programming basics"):
        setup.set_up(actor=None, specification=specification, pipeline=pipeline, pools={})
    client.force_login(administrator)
    response = client.post(f"/assessment-setup/{specification.pk}/", {"pipeline": pipeline.pk})
    assert response.status_code == 400
    assert "has no identity check" in response.context["form"].errors["pipeline"][0]
    assert case_services.pipeline_for(specification) is None


def test_it_gives_the_credential_the_elements_its_pipeline_implies(version):
    specification = make_specification(**AGREEING)
    setup.set_up(actor=None, specification=specification, pipeline=version.pipeline, pools={})
    plan = schema.load_trusted(version.definition)
    ran = [step.id for step in plan.steps]
    credential = issue_credential(
        learner=make_user(),
        specification=specification,
        supervision=schema.supervision_mode(plan, ran_steps=ran),
    )
    subject = credential.document["credentialSubject"]
    assert subject["achievement"]["assessmentType"] == (
        concept(AssessmentType, assessment_type(plan, ran)).iri
    )
    assert subject["supervisionAndIdentityVerification"] == (
        concept(Supervision, schema.supervision_mode(plan, ran_steps=ran)).iri
    )


@pytest.mark.parametrize(
    "demo", catalogue_demo.DEMO_SPECIFICATIONS, ids=lambda d: d["fields"]["slug"]
)
def test_it_finds_the_demo_catalogue_agreeing_with_its_pipelines(demo):
    key = SPECIFICATION_PIPELINES[demo["fields"]["slug"]]
    text = (DEMO_PIPELINES / f"{key}.yaml").read_text(encoding="utf-8")
    plan = schema.PipelinePlan.model_validate(yaml.safe_load(text))
    assert contradictions(Specification(**demo["fields"]), plan) == []
    assert demo["fields"]["assessment_type"] in assessment_types(plan)
