"""The EU elements that describe how a micro-credential is assessed, as its pipeline implies them
(type of assessment, supervision and identity verification, form of participation), and what in
a specification contradicts them, in words naming both sides."""

from collections.abc import Collection
from itertools import combinations

from django.utils.translation import gettext as _

from credentials.catalogue.signals import Contradiction
from credentials.catalogue.vocabularies import AssessmentType, ParticipationForm, Supervision
from workflows.pipelines import schema
from workflows.staffing.analysis import step_title

METHODS = {
    schema.StepKind.EVIDENCE_REVIEW: AssessmentType.PORTFOLIO,
    schema.StepKind.TEST: AssessmentType.TEST,
    schema.StepKind.INTERVIEW: AssessmentType.INTERVIEW,
    schema.StepKind.OBSERVATION: AssessmentType.PRACTICAL,
}


def assessment_type(plan, ran_steps: Collection[str] | None = None) -> AssessmentType | None:
    """The EU "type of assessment" of a plan's assessing steps (or of those a case ran): the type
    of their one method, "combined" for several, None when no step assesses."""
    methods = {
        METHODS[step.kind]
        for step in plan.steps
        if step.kind in METHODS and (ran_steps is None or step.id in ran_steps)
    }
    if len(methods) > 1:
        return AssessmentType.COMBINED
    return methods.pop() if methods else None


def assessment_types(plan) -> list[AssessmentType]:
    """The types a case of ``plan`` can get, as its conditional steps run or not."""
    always = {step.id for step in plan.steps if step.when is None}
    # Which of several conditional steps of one method runs does not change the type.
    sometimes = {
        METHODS[step.kind]: step.id for step in plan.steps if step.when and step.kind in METHODS
    }
    found = {
        assessment_type(plan, always | set(chosen))
        for size in range(len(sometimes) + 1)
        for chosen in combinations(sometimes.values(), size)
    }
    return [kind for kind in AssessmentType if kind in found]


def contradictions(specification, plan) -> list[Contradiction]:
    """What the specification's assessment elements say otherwise than ``plan``; empty values
    contradict nothing."""
    pipeline = plan.title.text()
    found = [
        _type_contradiction(specification, plan, pipeline),
        _supervision_contradiction(specification, plan, pipeline),
        _participation_contradiction(specification, plan, pipeline),
    ]
    return [contradiction for contradiction in found if contradiction]


def _titles(steps) -> str:
    return ", ".join(f"“{step_title(step)}”" for step in steps)


def _type_contradiction(specification, plan, pipeline) -> Contradiction | None:
    possible = assessment_types(plan)
    if not specification.assessment_type or not possible:
        return None
    if specification.assessment_type in possible:
        return None
    words = _(
        "The specification says the type of assessment is “%(specification)s”, but its "
        "pipeline “%(pipeline)s” assesses with %(steps)s, which is %(implied)s."
    ) % {
        "specification": specification.get_assessment_type_display(),
        "pipeline": pipeline,
        "steps": _titles(step for step in plan.steps if step.kind in METHODS),
        "implied": _(" or ").join(f"“{kind.label}”" for kind in possible),
    }
    return Contradiction("assessment_type", words)


def _supervision_contradiction(specification, plan, pipeline) -> Contradiction | None:
    implied = schema.supervision_mode(plan)
    if not specification.supervision or specification.supervision == implied:
        return None
    identity = [step for step in plan.steps if step.kind == schema.StepKind.IDENTITY_CHECK]
    if implied == Supervision.SUPERVISED_ONSITE_WITH_ID:
        facts = _("checks identity in person, in %(steps)s") % {"steps": _titles(identity)}
    elif implied == Supervision.SUPERVISED_ONLINE_WITH_ID:
        facts = _("checks identity at a distance, in %(steps)s") % {"steps": _titles(identity)}
    elif specification.supervision != Supervision.UNSUPERVISED_NO_ID:
        tests = [step for step in plan.steps if step.kind == schema.StepKind.TEST]
        if implied == Supervision.SUPERVISED_NO_ID:
            facts = _("has no identity check")
        elif tests:
            facts = _("has no identity check and an unsupervised test")
        else:
            facts = _("has no identity check and no supervised step")
    else:
        supervised = [
            step
            for step in plan.steps
            if step.kind in (schema.StepKind.INTERVIEW, schema.StepKind.OBSERVATION)
            or (step.kind == schema.StepKind.TEST and step.supervised)
        ]
        facts = _("has supervised steps: %(steps)s") % {"steps": _titles(supervised)}
    words = _(
        "The specification says “%(specification)s”, but its pipeline “%(pipeline)s” %(facts)s."
    ) % {
        "specification": specification.get_supervision_display(),
        "pipeline": pipeline,
        "facts": facts,
    }
    return Contradiction("supervision", words)


def _on_site_only(step) -> bool:
    return (
        step.kind == schema.StepKind.IDENTITY_CHECK
        and step.method == schema.IdentityMethod.IN_PERSON
    )


def _at_a_distance_only(step) -> bool:
    """The portfolio is uploaded, and identity checked by document, video or electronic ID."""
    return step.kind == schema.StepKind.EVIDENCE_REVIEW or (
        step.kind == schema.StepKind.IDENTITY_CHECK and not _on_site_only(step)
    )


def _participation_contradiction(specification, plan, pipeline) -> Contradiction | None:
    form = specification.participation_form
    values = {"specification": specification.get_participation_form_display(), "pipeline": pipeline}
    on_site = [step for step in plan.steps if _on_site_only(step)]
    if form == ParticipationForm.ONLINE and on_site:
        words = _(
            "The specification says the form of participation is “%(specification)s”, but its "
            "pipeline “%(pipeline)s” has a step on site: %(steps)s."
        ) % {**values, "steps": _titles(on_site)}
        return Contradiction("participation_form", words)
    assessing = [step for step in plan.steps if step.kind != schema.StepKind.DECISION]
    if form in (ParticipationForm.ONSITE, ParticipationForm.BLENDED) and all(
        _at_a_distance_only(step) for step in assessing
    ):
        words = (
            _(
                "The specification says the form of participation is “%(specification)s”, but no "
                "step of its pipeline “%(pipeline)s” can take place on site."
            )
            % values
        )
        return Contradiction("participation_form", words)
    return None
