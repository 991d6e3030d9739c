from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workflows.models import Pipeline
from workflows.pipelines import schema


class PipelineSourceForm(forms.Form):
    """The YAML of a draft. Errors are the schema's own, each with its path (and line)."""

    source = forms.CharField(
        label=_("Pipeline definition (YAML)"),
        help_text=_(
            "A key, a title and the ordered steps, the decision last. Problems are listed above "
            "the text with their place in it; nothing is saved until all are solved."
        ),
        strip=False,
        max_length=schema.MAX_SOURCE_CHARS,
        widget=forms.Textarea(
            attrs={
                "rows": 30,
                "class": "code-input",
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
            }
        ),
    )

    def __init__(self, *args, pipeline: Pipeline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pipeline = pipeline
        self.plan: schema.PipelinePlan | None = None
        self.pipeline_errors: list[schema.PipelineError] = []

    def clean_source(self):
        text = self.cleaned_data["source"].replace("\r\n", "\n")
        plan, errors = schema.check_text(text, fmt="yaml")
        if not errors:
            errors = self._key_errors(plan)
        if errors:
            self.pipeline_errors = errors
            raise ValidationError(
                [ValidationError(str(error), code="pipeline") for error in errors]
            )
        self.plan = plan
        return text

    def _key_errors(self, plan: schema.PipelinePlan) -> list[schema.PipelineError]:
        if self.pipeline is not None and plan.key != self.pipeline.key:
            message = _(
                "This is the draft of pipeline '%(expected)s': keep that key. To start another "
                "pipeline, create a new one."
            ) % {"expected": self.pipeline.key}
            return [schema.PipelineError(path="key", message=message)]
        if self.pipeline is None and Pipeline.objects.filter(key=plan.key).exists():
            message = _(
                "A pipeline with the key '%(key)s' exists already: choose another key, or edit "
                "that pipeline's draft."
            ) % {"key": plan.key}
            return [schema.PipelineError(path="key", message=message)]
        return []
