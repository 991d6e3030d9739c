"""Forms for what people record on a case step; each gives ``to_data()`` for the engine."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workflows.cases.selectors import DEADLINE, WAITING, TaskFilters
from workflows.identity.services import METHOD_LABELS
from workflows.models import Outcome
from workflows.pipelines.schema import STEP_KIND_LABELS, IdentityMethod


class IdentityResultForm(forms.Form):
    """The method, the result and a minimal note; never a document number in the note."""

    method = forms.ChoiceField(
        label=_("How was the identity checked?"),
        widget=forms.RadioSelect(attrs={"class": "identity-radio"}),
    )
    verified = forms.ChoiceField(
        label=_("Result"),
        choices=[("yes", _("Confirmed")), ("no", _("Not confirmed"))],
        widget=forms.RadioSelect(attrs={"class": "identity-radio"}),
        error_messages={"required": _("Say whether the identity is confirmed.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what is needed: never copy document numbers here."),
    )

    def __init__(self, *args, step, assertion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assertion = assertion
        choices = dict(METHOD_LABELS)
        if assertion is not None:
            choices[IdentityMethod.ELECTRONIC_ID] = assertion.method_label
        self.fields["method"].choices = list(choices.items())
        self.fields["method"].initial = (
            IdentityMethod.ELECTRONIC_ID if assertion is not None else step.method
        )

    def clean_method(self):
        method = self.cleaned_data["method"]
        if method == IdentityMethod.ELECTRONIC_ID and self.assertion is None:
            raise forms.ValidationError(
                _(
                    "The candidate has not signed in with an electronic ID for this check: "
                    "choose the method you used."
                )
            )
        return method

    def clean_note(self):
        note = self.cleaned_data["note"]
        if looks_like_document_number(note):
            raise forms.ValidationError(
                _(
                    "Remove the number: the note must not hold a PESEL or an identity card or "
                    "passport number."
                )
            )
        return note

    def to_data(self):
        data = {
            "verified": self.cleaned_data["verified"] == "yes",
            "note": self.cleaned_data["note"],
            "method": self.cleaned_data["method"],
        }
        if data["method"] == IdentityMethod.ELECTRONIC_ID:
            data["method_label"] = self.assertion.method_label
            data["assertion"] = self.assertion.to_data()
        return data


# A PESEL (11 digits), a Polish identity card (3 letters, 6 digits) or passport (2 letters,
# 7 digits) number, alone or with one space or hyphen after the letters.
DOCUMENT_NUMBER = re.compile(
    r"(?<![0-9])[0-9]{11}(?![0-9])"
    r"|(?<![A-Za-z0-9])(?:[A-Za-z]{3}[ -]?[0-9]{6}|[A-Za-z]{2}[ -]?[0-9]{7})(?![0-9])"
)


def looks_like_document_number(text: str) -> bool:
    return bool(DOCUMENT_NUMBER.search(text or ""))


RULES_OF_EVIDENCE = [
    ("valid", _("Valid"), _("It shows the learning outcome itself, not something near it.")),
    ("authentic", _("Authentic"), _("It is the candidate's own work.")),
    ("current", _("Current"), _("It shows what the candidate can do now.")),
    ("sufficient", _("Sufficient"), _("There is enough of it to judge the outcome.")),
]


class ScoreSheetForm(forms.Form):
    """Per learning outcome: a score on the rubric, a comment and, when evidence is judged, the
    rules of evidence. Interviews and observations add notes. An outcome may pass only on evidence
    that meets all four rules."""

    def __init__(self, *args, outcomes, step, evidence_requests_left=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        self.step = step
        self.judges_evidence = step.kind == "evidence_review"
        if evidence_requests_left:
            self.fields["more_evidence"] = forms.CharField(
                label=_("Ask the candidate for more evidence"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=ngettext(
                    "Write what is missing and leave the scores empty: the candidate adds a new "
                    "round and this step judges it again. %(count)d request left.",
                    "Write what is missing and leave the scores empty: the candidate adds a new "
                    "round and this step judges it again. %(count)d requests left.",
                    evidence_requests_left,
                )
                % {"count": evidence_requests_left},
            )
        rubric = step.rubric
        choices = [("", _("Choose a score"))] + [
            (str(n), str(n)) for n in range(rubric.min, rubric.max + 1)
        ]
        for outcome in self.outcomes:
            self.fields[f"score_{outcome.pk}"] = forms.ChoiceField(
                label=_("Score for outcome %(position)s") % {"position": outcome.position},
                choices=choices,
                required=not evidence_requests_left,
                error_messages={"required": _("Give this learning outcome a score.")},
            )
            if self.judges_evidence:
                for rule, label, help_text in RULES_OF_EVIDENCE:
                    self.fields[f"{rule}_{outcome.pk}"] = forms.BooleanField(
                        label=label, help_text=help_text, required=False
                    )
            self.fields[f"comment_{outcome.pk}"] = forms.CharField(
                label=_("Comment on outcome %(position)s") % {"position": outcome.position},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if step.kind in ("interview", "observation"):
            self.fields["notes"] = forms.CharField(
                label=_("Notes from the interview")
                if step.kind == "interview"
                else _("Notes from the observation"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "What you asked or saw, in a few lines: the decision maker reads this."
                ),
            )

    def clean(self):
        data = super().clean()
        if data.get("more_evidence"):
            return data
        for outcome in self.outcomes:
            name = f"score_{outcome.pk}"
            if not data.get(name):
                if name not in self.errors:
                    self.add_error(name, _("Give this learning outcome a score."))
                continue
            if (
                self.judges_evidence
                and not all(
                    data.get(f"{rule}_{outcome.pk}") for rule, _label, _help in RULES_OF_EVIDENCE
                )
                and float(data[name]) >= self.step.pass_rule.outcome_min_score
            ):
                self.add_error(
                    name,
                    _(
                        "A passing score needs evidence that is valid, authentic, current "
                        "and sufficient: tick all four, or give a score below %(min)s."
                    )
                    % {"min": self.step.pass_rule.outcome_min_score},
                )
        return data

    def rows(self):
        for outcome in self.outcomes:
            rules = (
                [self[f"{rule}_{outcome.pk}"] for rule, _label, _help in RULES_OF_EVIDENCE]
                if self.judges_evidence
                else []
            )
            yield outcome, self[f"score_{outcome.pk}"], rules, self[f"comment_{outcome.pk}"]

    def to_data(self):
        if self.cleaned_data.get("more_evidence"):
            return {"more_evidence": self.cleaned_data["more_evidence"]}
        data = {
            "scores": {str(o.pk): int(self.cleaned_data[f"score_{o.pk}"]) for o in self.outcomes},
            "comments": {
                str(o.pk): self.cleaned_data[f"comment_{o.pk}"]
                for o in self.outcomes
                if self.cleaned_data[f"comment_{o.pk}"]
            },
        }
        if self.judges_evidence:
            data["rules"] = {
                str(o.pk): {
                    rule: bool(self.cleaned_data[f"{rule}_{o.pk}"])
                    for rule, _label, _help in RULES_OF_EVIDENCE
                }
                for o in self.outcomes
            }
        if self.cleaned_data.get("notes"):
            data["notes"] = self.cleaned_data["notes"]
        return data


class TestResultForm(forms.Form):
    __test__ = False

    score_percent = forms.DecimalField(
        label=_("Result (per cent)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={
            "min_value": _("A result cannot be below 0 %."),
            "max_value": _("A result cannot be above 100 %."),
        },
    )

    def to_data(self):
        return {"score_percent": float(self.cleaned_data["score_percent"])}


def partial_choice_problem(chosen, outcomes) -> str | None:
    """What is wrong with the outcomes ticked for a partial recognition, if anything."""
    if not chosen:
        return _("Tick at least one outcome for partial recognition.")
    if len(set(chosen)) == len(outcomes):
        return _("Every outcome is ticked: choose full recognition instead.")
    return None


def recognised_outcomes(outcome, chosen, outcomes) -> list[str]:
    """The learning outcomes (pks as strings) a decision recognises."""
    if outcome == Outcome.FULL:
        return [str(o.pk) for o in outcomes]
    if outcome == Outcome.PARTIAL:
        return sorted(chosen, key=int)
    return []


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    recognised_outcomes = forms.MultipleChoiceField(
        label=_("Recognised learning outcomes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For partial recognition, tick the outcomes that are recognised."),
    )
    reasons = forms.CharField(
        label=_("Reasons the candidate will read"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Explain the decision: the candidate will read this.")},
    )

    def __init__(self, *args, outcomes, partial_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        choices = [(Outcome.FULL, Outcome.FULL.label)]
        if partial_allowed:
            choices.append((Outcome.PARTIAL, Outcome.PARTIAL.label))
        else:
            del self.fields["recognised_outcomes"]
        choices.append((Outcome.NONE, Outcome.NONE.label))
        self.fields["outcome"].choices = choices
        if partial_allowed:
            self.fields["recognised_outcomes"].choices = [
                (str(o.pk), f"{o.position}. {o.statement}") for o in self.outcomes
            ]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.PARTIAL:
            problem = partial_choice_problem(data.get("recognised_outcomes"), self.outcomes)
            if problem:
                self.add_error("recognised_outcomes", problem)
        return data

    def to_data(self):
        outcome = self.cleaned_data["outcome"]
        return {
            "outcome": outcome,
            "recognised_outcomes": recognised_outcomes(
                outcome, self.cleaned_data.get("recognised_outcomes"), self.outcomes
            ),
            "reasons": self.cleaned_data["reasons"],
        }


class ConflictDeclarationForm(forms.Form):
    declaration = forms.ChoiceField(
        label=_("Your declaration"),
        choices=[
            ("none", _("I have no conflict of interest in this case.")),
            ("conflict", _("I have a conflict of interest: give the task back.")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the two declarations.")},
    )
    reason = forms.CharField(
        label=_("What is the conflict?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: you know the candidate personally, work with them or for the same "
            "employer. Quality officers read this."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("declaration") == "conflict" and not data.get("reason", "").strip():
            self.add_error("reason", _("Say what the conflict of interest is."))
        return data

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data["declaration"] == "conflict"


class WorkListFilterForm(forms.Form):
    """The work list's filters and order, from the query string; a bad value is reported on its
    field and otherwise ignored."""

    specification = forms.TypedChoiceField(
        label=_("Micro-credential"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind of step"),
        required=False,
        choices=[("", _("Every kind")), *STEP_KIND_LABELS.items()],
    )
    q = forms.CharField(
        label=_("Candidate or case number"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(WAITING, _("Waiting longest first")), (DEADLINE, _("Deadline soonest first"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, specifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specification"].choices = [
            ("", _("Every micro-credential")),
            *((specification.pk, specification.title) for specification in specifications),
        ]

    def filters(self) -> TaskFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return TaskFilters(
            specification=data.get("specification"),
            kind=data.get("kind") or "",
            overdue=bool(data.get("overdue")),
            search=(data.get("q") or "").strip(),
            order=data.get("order") or WAITING,
        )
