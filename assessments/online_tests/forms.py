"""Forms: the candidate's answers, the bank import, and the assessor's marks for short answers."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Question
from assessments.online_tests import selectors, services
from assessments.online_tests.text import inline_text

MAX_BANK_BYTES = 1_000_000


@dataclass(frozen=True)
class Row:
    """One drawn question on the page: its number, the question, its bound field."""

    number: int
    question: Question
    field: forms.BoundField

    @property
    def anchor(self) -> str:
        return f"question-{self.number}"

    @property
    def answered(self) -> bool:
        """Whether the field holds an answer: the one saved, or the one just sent."""
        value = self.field.value()
        if isinstance(value, str):
            return bool(value.strip())
        return bool(value)


class AnswersForm(forms.Form):
    """One field per drawn question, in the order drawn; options in the attempt's order."""

    def __init__(self, *args, attempt, rows, **kwargs):
        latest = selectors.latest_answers(attempt)
        initial = {}
        super().__init__(*args, **kwargs)
        self.rows = []
        for number, (question, options) in enumerate(rows, start=1):
            name = f"q{question.pk}"
            label = _("Question %(n)s") % {"n": number}
            # Option texts may hold `code`: shown in a code font, everything else escaped.
            choices = [(str(o.pk), inline_text(o.label)) for o in options]
            previous = latest.get(question.pk)
            if question.kind == Question.Kind.SHORT:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
                initial[name] = previous.text if previous else ""
            elif question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    label=label, required=False, choices=choices, widget=forms.RadioSelect
                )
                initial[name] = str(previous.chosen[0]) if previous and previous.chosen else ""
            else:
                field = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Tick every correct answer."),
                )
                initial[name] = [str(pk) for pk in previous.chosen] if previous else []
            self.fields[name] = field
            self.rows.append((number, question, name))
        if not self.is_bound:
            self.initial = initial
        self.rows = [Row(number, question, self[name]) for number, question, name in self.rows]

    def answers(self) -> dict:
        result = {}
        for row in self.rows:
            question = row.question
            value = self.cleaned_data.get(row.field.name)
            if question.kind == Question.Kind.SHORT:
                result[question.pk] = value or ""
            elif question.kind == Question.Kind.SINGLE:
                result[question.pk] = [int(value)] if value else []
            else:
                result[question.pk] = [int(pk) for pk in value or []]
        return result


class BankImportForm(forms.Form):
    specification = forms.ModelChoiceField(
        label=_("Micro-credential"),
        queryset=None,
        empty_label=_("Choose a micro-credential"),
        error_messages={"required": _("Choose the micro-credential the bank belongs to.")},
    )
    file = forms.FileField(
        label=_("Question bank file (YAML)"),
        help_text=_("A .yaml file in the format described in the documentation, up to 1 MB."),
        error_messages={"required": _("Choose a YAML file to import.")},
    )

    def __init__(self, *args, specifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specification"].queryset = specifications

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BANK_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB: split the bank."))
        try:
            # Strictly UTF-8 (a byte order mark is fine); another encoding is never guessed.
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text: save it as UTF-8 and try again.")
            ) from None


class MarkingForm(forms.Form):
    """Points and a comment for each short answer of an attempt; ``to_data()`` for the engine."""

    def __init__(self, *args, attempt, **kwargs):
        super().__init__(*args, **kwargs)
        self.attempt = attempt
        answers = selectors.latest_answers(attempt, counted_only=True)
        self.questions = []
        for number, (question, _options) in enumerate(selectors.drawn_questions(attempt), 1):
            answer = answers.get(question.pk)
            if question.kind != Question.Kind.SHORT or not (answer and answer.text):
                continue
            self.questions.append((number, question, answer))
            self.fields[f"points_{question.pk}"] = forms.DecimalField(
                label=_("Points for question %(n)s (0 to %(max)s)")
                % {"n": number, "max": question.points},
                min_value=0,
                max_value=question.points,
                decimal_places=1,
                error_messages={
                    "required": _("Give the points for this answer."),
                    "min_value": _("Points cannot be below 0."),
                    "max_value": _("This question is worth at most %(max)s points.")
                    % {"max": question.points},
                },
            )
            self.fields[f"comment_{question.pk}"] = forms.CharField(
                label=_("Comment on question %(n)s") % {"n": number},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def marks(self) -> dict[int, float]:
        return {q.pk: float(self.cleaned_data[f"points_{q.pk}"]) for _n, q, _a in self.questions}

    def to_data(self):
        marks = self.marks()
        return {
            "score_percent": services.score_with_marks(self.attempt, marks),
            "attempt": self.attempt.pk,
            "marks": {str(pk): points for pk, points in marks.items()},
            "comments": {
                str(q.pk): self.cleaned_data[f"comment_{q.pk}"]
                for _n, q, _a in self.questions
                if self.cleaned_data[f"comment_{q.pk}"]
            },
        }
