"""How a micro-credential is assessed, in words a candidate reads: the published plan of its
pipeline, step by step, for the catalogue page. ``assessment_in_words`` answers the catalogue's
``describing_assessment`` signal, ``contradictions_of`` its ``checking_assessment``;
``words_of_test`` also words the test on the candidate's to-do list."""

from django.dispatch import receiver
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.online_tests import selectors as tests
from credentials.catalogue.signals import (
    AssessmentStep,
    Contradiction,
    checking_assessment,
    describing_assessment,
)
from workflows.cases.assessment_elements import contradictions
from workflows.pipelines import schema
from workflows.staffing.analysis import step_title
from workflows.staffing.selectors import plan_of

IDENTITY_WORDS = {
    schema.IdentityMethod.DOCUMENT: gettext_lazy(
        "An identity officer checks a scan of your identity document; the file is deleted once "
        "the check is recorded."
    ),
    schema.IdentityMethod.IN_PERSON: gettext_lazy(
        "An identity officer checks your identity document in person."
    ),
    schema.IdentityMethod.VIDEO: gettext_lazy(
        "An identity officer checks your identity in a video call, at one of the times proposed "
        "to you."
    ),
    schema.IdentityMethod.ELECTRONIC_ID: gettext_lazy(
        "You confirm who you are with electronic ID, and an identity officer records the check."
    ),
}
REVIEW_WORDS = {
    1: gettext_lazy(
        "An assessor reviews your portfolio: the evidence you give for each learning outcome."
    ),
    2: gettext_lazy(
        "Two assessors review your portfolio: the evidence you give for each learning outcome."
    ),
    3: gettext_lazy(
        "Three assessors review your portfolio: the evidence you give for each learning outcome."
    ),
}
BLIND_WORDS = gettext_lazy("They mark it independently, without seeing each other's marks.")
INTERVIEW_WORDS = {
    1: gettext_lazy("An interview with an assessor."),
    2: gettext_lazy("An interview with two assessors."),
    3: gettext_lazy("An interview with three assessors."),
}
OBSERVATION_WORDS = {
    1: gettext_lazy("An assessor watches you do the work."),
    2: gettext_lazy("Two assessors watch you do the work."),
    3: gettext_lazy("Three assessors watch you do the work."),
}
MEETING_TIME_WORDS = gettext_lazy("You pick one of the times proposed to you.")
SUPERVISED_WORDS = gettext_lazy("Someone supervises it.")
PANEL_WORDS = {
    2: gettext_lazy("A decision by a panel of two decision makers, with reasons."),
    3: gettext_lazy("A decision by a panel of three decision makers, with reasons."),
    4: gettext_lazy("A decision by a panel of four decision makers, with reasons."),
    5: gettext_lazy("A decision by a panel of five decision makers, with reasons."),
}
DECISION_MAKER_WORDS = gettext_lazy(
    "A decision by a decision maker who did not assess you, with reasons."
)
PARTIAL_WORDS = gettext_lazy(
    "The learning outcomes you have shown can be recognised even if others are not (partial "
    "recognition)."
)


@receiver(describing_assessment)
def assessment_in_words(sender, specification, **kwargs) -> list[AssessmentStep]:
    """The steps of the plan new cases of ``specification`` start on; none without one."""
    plan = plan_of(specification)
    if plan is None:
        return []
    titles = {step.id: step_title(step) for step in plan.steps}
    return [
        AssessmentStep(
            title=titles[step.id],
            what=WORDS[step.kind](step, specification),
            only_if=_only_if(step, titles),
        )
        for step in plan.steps
    ]


@receiver(checking_assessment)
def contradictions_of(sender, specification, **kwargs) -> list[Contradiction]:
    """What ``specification`` says otherwise than the plan new cases of it start on."""
    plan = plan_of(specification)
    return [] if plan is None else contradictions(specification, plan)


def words_of_test(
    *,
    questions: int,
    minutes: int | None,
    pass_mark: float,
    attempts: int,
    supervised: bool,
    online: bool,
) -> str:
    """E.g. "A 30-minute online test, 20 questions, pass mark 70 %, 2 attempts." """
    if minutes:
        head = _("A %(minutes)s-minute online test") if online else _("A %(minutes)s-minute test")
        head %= {"minutes": minutes}
    else:
        head = _("An online test with no time limit") if online else _("A test with no time limit")
    parts = [
        head,
        ngettext("%(count)s question", "%(count)s questions", questions) % {"count": questions},
        _("pass mark %(percent)s %%") % {"percent": _number(pass_mark)},
        ngettext("%(count)s attempt", "%(count)s attempts", attempts) % {"count": attempts},
    ]
    words = ", ".join(parts) + "."
    return f"{words} {SUPERVISED_WORDS}" if supervised else words


def _number(value: float) -> str:
    return formats.number_format(int(value) if float(value).is_integer() else value)


def _identity(step, specification) -> str:
    return str(IDENTITY_WORDS[step.method])


def _review(step, specification) -> str:
    words = [str(REVIEW_WORDS[step.assessors])]
    if step.blind and step.assessors > 1:
        words.append(str(BLIND_WORDS))
    if step.evidence_requests:
        words.append(
            ngettext(
                "If something is missing, you may be asked for more evidence once.",
                "If something is missing, you may be asked for more evidence up to %(count)s "
                "times.",
                step.evidence_requests,
            )
            % {"count": step.evidence_requests}
        )
    return " ".join(words)


def _test(step, specification) -> str:
    return words_of_test(
        questions=step.questions,
        minutes=step.time_limit_minutes,
        pass_mark=step.pass_mark_percent,
        attempts=step.attempts,
        supervised=step.supervised,
        online=tests.bank_ready(specification, step.question_bank, step.questions),
    )


def _interview(step, specification) -> str:
    return f"{INTERVIEW_WORDS[step.assessors]} {MEETING_TIME_WORDS}"


def _observation(step, specification) -> str:
    return f"{OBSERVATION_WORDS[step.assessors]} {MEETING_TIME_WORDS}"


def _decision(step, specification) -> str:
    if step.decided_by == schema.DecidedBy.PANEL:
        words = [str(PANEL_WORDS[step.panel_size])]
    else:
        words = [str(DECISION_MAKER_WORDS)]
    if step.partial_recognition:
        words.append(str(PARTIAL_WORDS))
    days = specification.appeal_window_days
    if days:
        words.append(
            ngettext(
                "If you disagree, you may appeal within %(count)s day.",
                "If you disagree, you may appeal within %(count)s days.",
                days,
            )
            % {"count": days}
        )
    return " ".join(words)


WORDS = {
    schema.StepKind.IDENTITY_CHECK: _identity,
    schema.StepKind.EVIDENCE_REVIEW: _review,
    schema.StepKind.TEST: _test,
    schema.StepKind.INTERVIEW: _interview,
    schema.StepKind.OBSERVATION: _observation,
    schema.StepKind.DECISION: _decision,
}


def _only_if(step, titles: dict[str, str]) -> str:
    """For a step with a condition: on which earlier steps it depends, in words."""
    if step.when is None:
        return ""
    earlier = [titles[id_] for id_ in titles if id_ in schema.condition_steps(step.when)]
    return ngettext(
        "Only if needed: it depends on the result of %(steps)s.",
        "Only if needed: it depends on the results of %(steps)s.",
        len(earlier),
    ) % {"steps": ", ".join(f"“{title}”" for title in earlier)}
