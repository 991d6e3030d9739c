"""Forms of the appeal: the candidate's grounds, the assessor's review and the decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.appeals.services import GROUNDS_MIN, TEXT_MAX
from workflows.models import Appeal, Outcome
from workflows.work.forms import partial_choice_problem, recognised_outcomes


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Your grounds for appeal"),
        min_length=GROUNDS_MIN,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Explain why the decision should change: what was missed or judged wrongly, with "
            "reference to the learning outcomes and your evidence."
        ),
        error_messages={
            "required": _("Write your grounds: the people handling the appeal will read them."),
            "min_length": _(
                "Write at least %(limit_value)d characters, so that the grounds can be judged "
                "(you wrote %(show_value)d)."
            ),
            "max_length": _(
                "Keep your grounds to %(limit_value)d characters (you wrote %(show_value)d)."
            ),
        },
    )


class AppealReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=Appeal.Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Recommend upholding or overturning the decision.")},
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your reading of the grounds against the evidence and the recorded scores."),
        error_messages={"required": _("Give the reasons for your recommendation.")},
    )

    def to_data(self):
        return {
            "recommendation": self.cleaned_data["recommendation"],
            "reasons": self.cleaned_data["reasons"],
        }


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision on the appeal"),
        choices=Appeal.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Uphold or overturn the decision.")},
    )
    new_outcome = forms.ChoiceField(
        label=_("New decision, if overturned"),
        required=False,
        widget=forms.RadioSelect,
    )
    recognised_outcomes = forms.MultipleChoiceField(
        label=_("Recognised learning outcomes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For partial recognition, tick every outcome that is recognised."),
    )
    reasons = forms.CharField(
        label=_("Reasons the candidate will read"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Explain the decision: the candidate will read this.")},
    )

    def __init__(self, *args, case, outcomes, partial_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.outcomes = list(outcomes)
        choices = [(Outcome.FULL, Outcome.FULL.label)]
        if partial_allowed:
            choices.append((Outcome.PARTIAL, Outcome.PARTIAL.label))
            self.fields["recognised_outcomes"].choices = [
                (str(o.pk), f"{o.position}. {o.statement}") for o in self.outcomes
            ]
        else:
            del self.fields["recognised_outcomes"]
        self.fields["new_outcome"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("outcome") != Appeal.Result.OVERTURNED:
            return data
        new = data.get("new_outcome")
        if not new:
            self.add_error("new_outcome", _("Choose the new decision for an overturned appeal."))
        elif new == Outcome.PARTIAL:
            chosen = set(data.get("recognised_outcomes") or [])
            problem = partial_choice_problem(chosen, self.outcomes)
            if problem:
                self.add_error("recognised_outcomes", problem)
            elif self.case.outcome == Outcome.PARTIAL and chosen == set(
                self.case.recognised_outcomes
            ):
                self.add_error(
                    "recognised_outcomes",
                    _("These outcomes are already recognised: to keep them, uphold the decision."),
                )
        return data

    def to_data(self):
        outcome = self.cleaned_data["outcome"]
        new = self.cleaned_data.get("new_outcome") if outcome == Appeal.Result.OVERTURNED else ""
        return {
            "outcome": outcome,
            "new_outcome": new,
            "recognised_outcomes": recognised_outcomes(
                new, self.cleaned_data.get("recognised_outcomes"), self.outcomes
            ),
            "reasons": self.cleaned_data["reasons"],
        }
