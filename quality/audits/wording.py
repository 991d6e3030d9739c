"""What the case's records say, in words: audit events as sentences with readable details, the
measures of a step, decisions, learning outcomes and steps by their names, never by their codes,
slugs or database ids.

``Vocabulary`` holds the names of one case (its plan's steps, its specification's learning
outcomes, the tasks of its flows, its evidence); ``describe(event, vocabulary)`` words one audit
event; ``measure_phrases`` words what a step found. Everything is in the active language.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from credentials.issuing.models import IssuedCredential
from evidence.models import EvidenceItem
from quality.models import AuditCase
from quality.statistics.units import number
from workflows.flows.appeal_flow import AppealFlow
from workflows.flows.case_flow import CaseFlow
from workflows.models import Appeal, Outcome
from workflows.pipelines import schema

OUTCOME_WORDS = 14  # a learning outcome's statement is cut after this many words in lists


def step_title(step) -> str:
    """A step's title in the active language, or the name of its kind when it has none."""
    return step.title.text() if step.title else str(schema.STEP_KIND_LABELS[step.kind])


def outcome_label(code) -> str:
    """A decision's outcome ("full", "partial", "none") in words."""
    try:
        return str(Outcome(code).label)
    except ValueError:
        return humanise(code)


def humanise(code) -> str:
    """The last resort for a code nobody named: its words, without underscores or dots."""
    text = str(code).rsplit(".", 1)[-1].replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return humanise(value)


@dataclass
class Vocabulary:
    """The names of one case's things, for its audit events and results."""

    plan: object | None = None  # schema.PipelinePlan
    outcomes: list = field(default_factory=list)  # the specification's LearningOutcome rows
    specification: object | None = None
    items: dict[str, str] = field(default_factory=dict)  # evidence item pk -> title

    @classmethod
    def of_case(cls, case, *, outcomes=None, snapshots=()) -> "Vocabulary":
        if outcomes is None:
            outcomes = list(case.specification.outcomes.order_by("position"))
        items = {}
        for snapshot in snapshots:
            for item in (snapshot.content or {}).get("items", []):
                items[str(item.get("id"))] = item.get("title") or ""
        return cls(
            plan=case.plan_model,
            outcomes=outcomes,
            specification=case.specification,
            items=items,
        )

    # Steps -------------------------------------------------------------------------------------

    def step(self, step_id) -> str:
        if step_id in (None, ""):
            return "—"
        if self.plan is not None:
            for step in self.plan.steps:
                if step.id == step_id:
                    return step_title(step)
        return humanise(step_id)

    def plan_step(self, step_id):
        if self.plan is None:
            return None
        return next((s for s in self.plan.steps if s.id == step_id), None)

    # Learning outcomes --------------------------------------------------------------------------

    def _outcome(self, key):
        return next((o for o in self.outcomes if str(o.pk) == str(key)), None)

    def outcome(self, key, *, words: int | None = OUTCOME_WORDS) -> str:
        found = self._outcome(key)
        if found is None:
            return _("a learning outcome no longer in the specification")
        statement = Truncator(found.statement).words(words) if words else found.statement
        return f"{found.position}. {statement}"

    def outcome_list(self, keys, *, words: int | None = OUTCOME_WORDS) -> list[str]:
        found = [self._outcome(k) for k in keys or []]
        known = sorted((o for o in found if o is not None), key=lambda o: o.position)
        lines = [self.outcome(o.pk, words=words) for o in known]
        missing = len(found) - len(known)
        if missing:
            lines.append(
                ngettext(
                    "%(count)s learning outcome no longer in the specification",
                    "%(count)s learning outcomes no longer in the specification",
                    missing,
                )
                % {"count": missing}
            )
        return lines

    # Tasks --------------------------------------------------------------------------------------

    def task(self, node) -> str:
        """The title of a task node of the case's or the appeal's flow ("assess_1": Assessment)."""
        for flow in (CaseFlow, AppealFlow):
            title = getattr(getattr(flow, str(node), None), "task_title", None)
            if title:
                return str(title)
        return humanise(node)


# Measures ---------------------------------------------------------------------------------------


def _rubric_max(step):
    rubric = getattr(step, "rubric", None)
    return getattr(rubric, "max", None)


# The order measures are told in (the stored JSON has its keys sorted).
MEASURE_ORDER = (
    "outcome",
    "verified",
    "score_percent",
    "score_mean",
    "outcomes_passed_ratio",
    "passed",
    "divergence",
)


def measure_phrases(measures: Mapping, step=None, vocabulary: Vocabulary | None = None):
    """What a step found, one phrase per measure: "average score 3.2 of 4", "divergence 1.5"."""
    phrases = []
    total = len(vocabulary.outcomes) if vocabulary and vocabulary.outcomes else None
    ordered = sorted(
        measures.items(),
        key=lambda kv: MEASURE_ORDER.index(kv[0]) if kv[0] in MEASURE_ORDER else len(MEASURE_ORDER),
    )
    for key, value in ordered:
        if key == "score_mean":
            top = _rubric_max(step)
            phrases.append(
                _("average score %(score)s of %(max)s") % {"score": number(value), "max": top}
                if top is not None
                else _("average score %(score)s") % {"score": number(value)}
            )
        elif key == "outcomes_passed_ratio":
            passed = measures.get("outcomes_passed")
            if isinstance(passed, list) and total:
                phrases.append(
                    ngettext(
                        "%(passed)s of %(total)s learning outcome passed",
                        "%(passed)s of %(total)s learning outcomes passed",
                        total,
                    )
                    % {"passed": len(passed), "total": total}
                )
            else:
                phrases.append(
                    _("%(percent)s %% of the learning outcomes passed")
                    % {"percent": number(float(value) * 100, 0)}
                )
        elif key == "outcomes_passed":
            continue  # counted with the ratio; the outcomes are in the scores
        elif key == "passed":
            phrases.append(_("step passed") if value else _("step not passed"))
        elif key == "divergence":
            phrases.append(_("divergence between markers %(value)s") % {"value": number(value)})
        elif key == "score_percent":
            phrases.append(_("test score %(percent)s %%") % {"percent": number(value, 1)})
        elif key == "verified":
            phrases.append(_("identity confirmed") if value else _("identity not confirmed"))
        elif key == "outcome":
            phrases.append(outcome_label(value))
        else:
            phrases.append(f"{humanise(key)}: {', '.join(_plain(value))}")
    return phrases


def measures_text(measures: Mapping, step=None, vocabulary=None) -> str:
    return "; ".join(measure_phrases(measures, step, vocabulary))


# Values -----------------------------------------------------------------------------------------


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


def _moment(value) -> str:
    """An ISO date or date-time in the local format; anything else as it is."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return formats.date_format(parsed.date(), "DATE_FORMAT")
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return formats.date_format(parsed, "DATETIME_FORMAT")
    if isinstance(value, datetime | date):
        return formats.date_format(value, "DATETIME_FORMAT")
    return "—" if value is None else str(value)


def _plain(value) -> list[str]:
    """Any JSON value as lines of words: yes/no, numbers localised, lists one per line, maps as
    "key: value"."""
    if value is None or value == "" or value == []:
        return ["—"]
    if isinstance(value, bool):
        return [_yes_no(value)]
    if isinstance(value, int | float):
        return [number(value)]
    if isinstance(value, list):
        return [", ".join(line for item in value for line in _plain(item))]
    if isinstance(value, dict):
        return [f"{_label(k)}: {', '.join(_plain(v))}" for k, v in value.items()]
    text = str(value)
    return [_moment(text) if _looks_like_moment(text) else text]


def _looks_like_moment(text: str) -> bool:
    return len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" and text[:4].isdigit()


# What each key of an event's changes is called.
LABELS = {
    "step": gettext_lazy("Step"),
    "next_step": gettext_lazy("Next step"),
    "first_step": gettext_lazy("First step"),
    "skipped": gettext_lazy("Steps skipped"),
    "task": gettext_lazy("Task"),
    "scores": gettext_lazy("Scores"),
    "measures": gettext_lazy("Result of the step"),
    "outcome": gettext_lazy("Decision"),
    "new_outcome": gettext_lazy("New decision"),
    "decision": gettext_lazy("Decision"),
    "recognised_outcomes": gettext_lazy("Recognised learning outcomes"),
    "outcomes": gettext_lazy("Learning outcomes"),
    "votes": gettext_lazy("Votes of the panel"),
    "panel_seat": gettext_lazy("Vote of a panel member"),
    "verified": gettext_lazy("Identity confirmed"),
    "score_percent": gettext_lazy("Test score"),
    "divergence": gettext_lazy("Divergence between markers"),
    "round": gettext_lazy("Round of evidence"),
    "snapshot": gettext_lazy("Digest of the evidence (SHA-256)"),
    "sha256": gettext_lazy("SHA-256"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("Note"),
    "error": gettext_lazy("Error"),
    "escalated_to": gettext_lazy("Escalated to"),
    "cancelled_tasks": gettext_lazy("Tasks cancelled"),
    "from": gettext_lazy("Before"),
    "to": gettext_lazy("After"),
    "slots": gettext_lazy("Times proposed"),
    "starts_at": gettext_lazy("Starts"),
    "duration_minutes": gettext_lazy("Duration"),
    "place": gettext_lazy("Place"),
    "adapter": gettext_lazy("Identity service"),
    "issuer": gettext_lazy("Issued by"),
    "level_of_assurance": gettext_lazy("Level of assurance"),
    "name": gettext_lazy("Name"),
    "size": gettext_lazy("Size"),
    "type": gettext_lazy("Type"),
    "documents": gettext_lazy("Documents"),
    "declaration": gettext_lazy("Declaration"),
    "language": gettext_lazy("Language"),
    "item": gettext_lazy("Evidence"),
    "kind": gettext_lazy("Kind"),
    "fields": gettext_lazy("Fields changed"),
    "specification": gettext_lazy("Micro-credential"),
    "pipeline": gettext_lazy("Assessment procedure"),
    "version": gettext_lazy("Version"),
    "key": gettext_lazy("Signing key"),
    "valid_until": gettext_lazy("Valid until"),
    "recommendation": gettext_lazy("Recommendation"),
    "verdict": gettext_lazy("Verdict"),
    "severity": gettext_lazy("Severity"),
    "description": gettext_lazy("Finding"),
    "corrective_action": gettext_lazy("Corrective action"),
    "credential_suspended": gettext_lazy("Credential suspended"),
    "method": gettext_lazy("Method"),
    "notes": gettext_lazy("Notes"),
    "comments": gettext_lazy("Comments"),
    "share_percent": gettext_lazy("Random share"),
    "score_margin": gettext_lazy("Rubric margin"),
    "percent_margin": gettext_lazy("Test margin"),
}

# Keys that name what the dossier is already about (the case, its candidate, its audit...).
HIDDEN = frozenset({"process", "case", "appeal", "audit", "learner", "organisation", "document"})

# Reasons the engine writes in English, in words of the active language.
SYSTEM_REASONS = {
    "withdrawn by the candidate": gettext_lazy("withdrawn by the candidate"),
    "identity check recorded": gettext_lazy("the identity check was recorded"),
}


# Keys that mean something else in one action.
ACTION_LABELS = {
    ("credential.suspended", "from"): gettext_lazy("Previous state"),
    ("credential.revoked", "from"): gettext_lazy("Previous state"),
    ("credential.reinstated", "from"): gettext_lazy("Previous state"),
    ("quality.viewed", "from"): gettext_lazy("Period from"),
    ("quality.viewed", "to"): gettext_lazy("Period to"),
}


def _label(key, action: str = "") -> str:
    if (action, key) in ACTION_LABELS:
        return str(ACTION_LABELS[(action, key)])
    return str(LABELS[key]) if key in LABELS else humanise(key)


def _language(code) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return str(code)


def _evidence_field(name) -> str:
    try:
        return str(EvidenceItem._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an unknown field keeps its words
        return humanise(name)


def _scores(value, v: Vocabulary, step) -> list[str]:
    top = _rubric_max(step)
    lines = []
    for key, score in sorted(
        (value or {}).items(), key=lambda kv: getattr(v._outcome(kv[0]), "position", 0)
    ):
        shown = (
            _("%(score)s of %(max)s") % {"score": number(score), "max": top}
            if top is not None
            else number(score)
        )
        lines.append(f"{v.outcome(key).rstrip('.')}: {shown}")
    return lines or ["—"]


def _states(value) -> list[str]:
    return [choice_label(IssuedCredential.State, value)]


def _format(key, value, v: Vocabulary, changes: Mapping, action: str) -> list[str]:
    """The words of one value, by its key (and for a few keys, by the action)."""
    step = v.plan_step(changes.get("step"))
    if key in ("step", "next_step", "first_step"):
        return [v.step(value)]
    if key == "skipped":
        return [", ".join(v.step(s) for s in value)] if value else []
    if key == "task":
        return [v.task(value)]
    if key == "scores" and isinstance(value, dict):
        return _scores(value, v, step)
    if key == "measures" and isinstance(value, dict):
        return [measures_text(value, step, v) or "—"]
    if key in ("recognised_outcomes", "outcomes", "outcomes_passed"):
        return v.outcome_list(value) or ["—"]
    if key == "outcome" and action == "appeal.decided":
        return [choice_label(Appeal.Result, value)]
    if key in ("outcome", "new_outcome", "decision"):
        return [outcome_label(value)] if value else ["—"]
    if key == "votes":
        return [", ".join(outcome_label(o) for o in value or [])]
    if key == "score_percent":
        return [f"{number(value, 1)} %"]
    if key == "divergence":
        return [number(value)]
    if key == "from" and action.startswith("credential."):
        return _states(value)
    if key == "to" and action.startswith("credential."):
        return []  # the action says it
    if key == "reason" and action == "quality.audit_sampled":
        return [choice_label(AuditCase.Reason, value)]
    if key == "reason" and isinstance(value, str) and value in SYSTEM_REASONS:
        return [str(SYSTEM_REASONS[value])]
    if key == "verdict":
        return [choice_label(AuditCase.Verdict, value)]
    if key == "severity":
        return [choice_label(AuditCase.Severity, value)] if value else ["—"]
    if key == "recommendation":
        return [choice_label(Appeal.Recommendation, value)]
    if key == "escalated_to":
        label = schema.ESCALATION_LABELS.get(value)
        return [str(label) if label else humanise(value)]
    if key == "specification" and getattr(v.specification, "slug", None) == value:
        return [v.specification.title]
    if key == "pipeline" and v.plan is not None and value == v.plan.key:
        return [v.plan.title.text()]
    if key == "language":
        return [_language(value)]
    if key == "size" and isinstance(value, int):
        return [str(filesizeformat(value))]
    if key == "duration_minutes" and isinstance(value, int):
        return [ngettext("%(count)s minute", "%(count)s minutes", value) % {"count": value}]
    if key == "valid_until" and value is None:
        return [_("no end date")]
    if key == "kind" and action.startswith("evidence."):
        return [choice_label(EvidenceItem.Kind, value)]
    if key == "fields":
        return [", ".join(_evidence_field(f) for f in value or [])]
    if key == "item":
        title = v.items.get(str(value))
        return [title] if title else []
    if key == "slots":
        return [_moment(s) for s in value or []] or ["—"]
    if key == "documents":
        return [
            ", ".join(
                part
                for part in (
                    d.get("name"),
                    filesizeformat(d["size"]) if isinstance(d.get("size"), int) else "",
                    d.get("sha256"),
                )
                if part
            )
            for d in value or []
            if isinstance(d, dict)
        ] or ["—"]
    return _plain(value)


@dataclass
class Detail:
    label: str
    values: list[str]


@dataclass
class Wording:
    sentence: str
    details: list[Detail]


def _details(changes: Mapping, v: Vocabulary, action: str, used: Iterable[str]) -> list[Detail]:
    details = []
    for key, value in changes.items():
        if key in used or key in HIDDEN:
            continue
        if isinstance(value, dict) and key not in ("scores", "measures"):
            # A nested map reads as its own pairs: "Before › Decision: No recognition".
            for sub, inner in value.items():
                lines = [] if sub in HIDDEN else _format(sub, inner, v, changes, action)
                if lines:
                    details.append(Detail(f"{_label(key, action)} › {_label(sub)}", lines))
            continue
        lines = _format(key, value, v, changes, action)
        if lines:
            details.append(Detail(_label(key, action), lines))
    return details


# What each action says: the sentence and the keys of ``changes`` it names. ``%(key)s`` is the
# value of that key in words.
SENTENCES: dict[str, tuple] = {
    "case.started": (gettext_lazy("Started the case"), ()),
    "case.task_taken": (
        gettext_lazy("Took the task “%(task)s” of step “%(step)s”"),
        ("task", "step"),
    ),
    "case.task_released": (gettext_lazy("Gave back the task “%(task)s”"), ("task",)),
    "case.no_conflict_declared": (
        gettext_lazy("Declared no conflict of interest for the task “%(task)s” of step “%(step)s”"),
        ("task", "step"),
    ),
    "case.conflict_declared": (
        gettext_lazy("Declared a conflict of interest for the task “%(task)s” of step “%(step)s”"),
        ("task", "step"),
    ),
    "case.task_completed": (
        gettext_lazy("Completed the task “%(task)s” of step “%(step)s”"),
        ("task", "step"),
    ),
    "case.step_completed": (
        gettext_lazy("Step “%(step)s” completed; next step “%(next_step)s”"),
        ("step", "next_step"),
    ),
    "case.moderation_requested": (
        gettext_lazy("A moderator was called in on step “%(step)s”"),
        ("step",),
    ),
    "case.more_evidence_requested": (
        gettext_lazy("More evidence was asked for at step “%(step)s”"),
        ("step",),
    ),
    "case.evidence_resubmitted": (
        gettext_lazy("Submitted more evidence (round %(round)s)"),
        ("round",),
    ),
    "case.panel_decided": (
        gettext_lazy("The panel decided at step “%(step)s”: %(outcome)s"),
        ("step", "outcome"),
    ),
    "case.recognised": (gettext_lazy("The case was decided: %(outcome)s"), ("outcome",)),
    "case.credential_failed": (gettext_lazy("Issuing the credential failed"), ()),
    "case.deadline_missed": (
        gettext_lazy("The deadline of step “%(step)s” was missed"),
        ("step", "task"),
    ),
    "case.cancelled": (gettext_lazy("The case was cancelled"), ()),
    "case.appealed": (gettext_lazy("Appealed the decision"), ()),
    "case.decision_overturned": (gettext_lazy("The decision was overturned on appeal"), ()),
    "case.appointment_proposed": (
        gettext_lazy("Proposed times for step “%(step)s”"),
        ("step",),
    ),
    "case.appointment_confirmed": (
        gettext_lazy("Confirmed the appointment for step “%(step)s”"),
        ("step",),
    ),
    "case.appointment_new_times_asked": (
        gettext_lazy("Asked for other times for step “%(step)s”"),
        ("step",),
    ),
    "case.electronic_id_asserted": (
        gettext_lazy("Confirmed the identity with an electronic ID at step “%(step)s”"),
        ("step",),
    ),
    "case.identity_document_added": (gettext_lazy("Added an identity document"), ()),
    "case.identity_documents_deleted": (gettext_lazy("Identity documents were deleted"), ()),
    "application.started": (gettext_lazy("Started the application"), ()),
    "application.self_assessed": (
        gettext_lazy("Assessed themselves against the learning outcomes"),
        (),
    ),
    "application.declared": (
        gettext_lazy("Declared the evidence their own (round %(round)s)"),
        ("round",),
    ),
    "application.submitted": (
        gettext_lazy("Submitted the evidence (round %(round)s)"),
        ("round",),
    ),
    "application.more_evidence_requested": (
        gettext_lazy("The application was opened for more evidence (round %(round)s)"),
        ("round",),
    ),
    "application.withdrawn": (gettext_lazy("Withdrew the application"), ()),
    "evidence.item_added": (gettext_lazy("Added evidence"), ()),
    "evidence.item_changed": (gettext_lazy("Changed evidence"), ()),
    "evidence.item_removed": (gettext_lazy("Removed evidence"), ()),
    "evidence.file_uploaded": (gettext_lazy("Uploaded a file"), ()),
    "credential.issued": (gettext_lazy("Issued the credential"), ()),
    "credential.suspended": (gettext_lazy("Suspended the credential"), ()),
    "credential.revoked": (gettext_lazy("Revoked the credential"), ()),
    "credential.reinstated": (gettext_lazy("Reinstated the credential"), ()),
    "appeal.submitted": (
        gettext_lazy("Appealed against the decision: %(decision)s"),
        ("decision",),
    ),
    "appeal.task_taken": (gettext_lazy("Took the task “%(task)s” of the appeal"), ("task",)),
    "appeal.task_released": (
        gettext_lazy("Gave back the task “%(task)s” of the appeal"),
        ("task",),
    ),
    "appeal.reviewed": (
        gettext_lazy("Reviewed the appeal: %(recommendation)s"),
        ("recommendation",),
    ),
    "appeal.decided": (gettext_lazy("Decided the appeal: %(outcome)s"), ("outcome",)),
    "quality.audit_sampled": (
        gettext_lazy("The case was chosen for a quality audit: %(reason)s"),
        ("reason",),
    ),
    "quality.audit_taken": (gettext_lazy("Took the quality audit"), ()),
    "quality.audit_released": (gettext_lazy("Gave back the quality audit"), ()),
    "quality.audit_reviewed": (
        gettext_lazy("Reviewed the quality audit: %(verdict)s"),
        ("verdict",),
    ),
    "quality.policy_changed": (gettext_lazy("Changed the sampling policy"), ()),
}

# ``quality.viewed``: what was opened.
PAGES = {
    "dossier": gettext_lazy("Opened the dossier of the case"),
    "dossier.pdf": gettext_lazy("Downloaded the dossier of the case (PDF)"),
    "audit": gettext_lazy("Opened the audit of the case"),
    "dashboard": gettext_lazy("Opened the quality assurance dashboard"),
    "evaluation_report": gettext_lazy("Downloaded an internal evaluation report"),
}

# The subject of an action nobody has worded yet, by the part before its dot.
SUBJECTS = {
    "case": gettext_lazy("Case"),
    "application": gettext_lazy("Application"),
    "evidence": gettext_lazy("Evidence"),
    "credential": gettext_lazy("Credential"),
    "appeal": gettext_lazy("Appeal"),
    "quality": gettext_lazy("Quality assurance"),
}


def describe(action: str, changes: Mapping | None, vocabulary: Vocabulary) -> Wording:
    """One audit event in words: a sentence for its action and its changes as label and value
    pairs. An action without a sentence reads as its subject and its words ("Case: reopened")."""
    changes = changes if isinstance(changes, Mapping) else {"details": changes}
    if action == "quality.viewed":
        page = changes.get("page", "")
        sentence = str(PAGES.get(page) or _("Opened a quality assurance page"))
        return Wording(sentence, _details(changes, vocabulary, action, {"page"}))
    if action in SENTENCES:
        template, used = SENTENCES[action]
        values = {
            key: ", ".join(_format(key, changes.get(key), vocabulary, changes, action))
            for key in used
        }
        values = {key: value or "—" for key, value in values.items()}
        return Wording(str(template) % values, _details(changes, vocabulary, action, used))
    subject, _dot, what = action.partition(".")
    if subject in SUBJECTS and what:
        sentence = f"{SUBJECTS[subject]}: {humanise(what).lower()}"
    else:
        sentence = humanise(action)
    return Wording(sentence, _details(changes, vocabulary, action, ()))


def near_lines(near: Iterable[Mapping], vocabulary: Vocabulary) -> list[str]:
    """Why a decision was close to a threshold, in words (the audit's ``details["near"]``)."""
    lines = []
    for item in near or []:
        step = vocabulary.plan_step(item.get("step"))
        values = {
            "step": vocabulary.step(item.get("step")),
            "score": number(item.get("score")),
            "threshold": number(item.get("threshold")),
        }
        if item.get("outcome"):
            values["outcome"] = vocabulary.outcome(item["outcome"])
            lines.append(
                _(
                    "%(step)s, learning outcome %(outcome)s: %(score)s against a threshold of "
                    "%(threshold)s"
                )
                % values
            )
        elif item.get("measure") == "score_percent":
            lines.append(
                _("%(step)s, test score: %(score)s %% against a pass mark of %(threshold)s %%")
                % values
            )
        else:
            top = _rubric_max(step)
            values["max"] = top if top is not None else "—"
            lines.append(
                _(
                    "%(step)s, average score: %(score)s of %(max)s against a threshold of "
                    "%(threshold)s"
                )
                % values
            )
    return lines
