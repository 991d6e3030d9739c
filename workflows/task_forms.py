"""Forms for what people record on a case step; each gives ``to_data()`` for the engine."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workflows.models import Outcome

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class IdentityResultForm(forms.Form):
    verified = forms.ChoiceField(
        label=_("Is the candidate's identity confirmed?"), choices=YES_NO, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what is needed: never copy document numbers here."),
    )

    def to_data(self):
        return {
            "verified": self.cleaned_data["verified"] == "yes",
            "note": self.cleaned_data["note"],
        }


class ScoreSheetForm(forms.Form):
    """A score on the rubric and a comment for each learning outcome."""

    def __init__(self, *args, outcomes, rubric, evidence_requests_left=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
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
            self.fields[f"comment_{outcome.pk}"] = forms.CharField(
                label=_("Comment on outcome %(position)s") % {"position": outcome.position},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        if data.get("more_evidence"):
            return data
        for outcome in self.outcomes:
            name = f"score_{outcome.pk}"
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Give this learning outcome a score."))
        return data

    def rows(self):
        for outcome in self.outcomes:
            yield outcome, self[f"score_{outcome.pk}"], self[f"comment_{outcome.pk}"]

    def to_data(self):
        if self.cleaned_data.get("more_evidence"):
            return {"more_evidence": self.cleaned_data["more_evidence"]}
        return {
            "scores": {str(o.pk): int(self.cleaned_data[f"score_{o.pk}"]) for o in self.outcomes},
            "comments": {
                str(o.pk): self.cleaned_data[f"comment_{o.pk}"]
                for o in self.outcomes
                if self.cleaned_data[f"comment_{o.pk}"]
            },
        }


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
            chosen = data.get("recognised_outcomes") or []
            if not chosen:
                self.add_error(
                    "recognised_outcomes", _("Tick at least one outcome for partial recognition.")
                )
            elif len(chosen) == len(self.outcomes):
                self.add_error(
                    "recognised_outcomes",
                    _("Every outcome is ticked: choose full recognition instead."),
                )
        return data

    def to_data(self):
        outcome = self.cleaned_data["outcome"]
        if outcome == Outcome.FULL:
            recognised = [str(o.pk) for o in self.outcomes]
        elif outcome == Outcome.PARTIAL:
            recognised = sorted(self.cleaned_data["recognised_outcomes"], key=int)
        else:
            recognised = []
        return {
            "outcome": outcome,
            "recognised_outcomes": recognised,
            "reasons": self.cleaned_data["reasons"],
        }
