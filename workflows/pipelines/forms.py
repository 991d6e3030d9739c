from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflows.models import Pipeline
from workflows.pipelines import schema

# A pipeline file is read whole only up to this size: UTF-8 takes at most 4 bytes a character.
MAX_SOURCE_BYTES = schema.MAX_SOURCE_CHARS * 4


class NotUtf8(ValueError):
    """Text that is not UTF-8; the message says so in words and names the line."""


def decode_utf8(data: bytes, name: str | None = None) -> str:
    """Bytes of a pipeline file as text: strictly UTF-8 (a UTF-8 byte order mark is dropped).
    Any other encoding is refused, never guessed; ``name`` None means standard input."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        if name is None:
            message = gettext(
                "The standard input is not UTF-8 text: line %(line)d holds bytes in another "
                "encoding, which is not guessed. Convert it to UTF-8 and try again."
            ) % {"line": line}
        else:
            message = gettext(
                "“%(name)s” is not saved as UTF-8: line %(line)d holds bytes in another "
                "encoding, which is not guessed. Save the file as UTF-8 (in most editors: Save "
                "as, then Encoding: UTF-8) and try again."
            ) % {"name": name, "line": line}
        raise NotUtf8(message) from None


class PipelineSourceForm(forms.Form):
    """The YAML of a draft, typed or pasted, or a file that replaces it. Errors are the schema's
    own, each with its path (and line). What was typed always comes back with the errors; the
    text of an uploaded file that could be read takes its place in the editor."""

    source = forms.CharField(
        label=_("Pipeline definition (YAML)"),
        help_text=_(
            "A key, a title and the ordered steps, the decision last. Problems are listed above "
            "the text with their place in it; nothing is saved until all are solved."
        ),
        required=False,
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
    file = forms.FileField(
        label=_("Or upload a pipeline file"),
        help_text=_(
            "A YAML or JSON file saved as UTF-8. It replaces the text above, which you can then "
            "go on editing if there are problems."
        ),
        required=False,
    )

    def __init__(self, *args, pipeline: Pipeline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pipeline = pipeline
        self.plan: schema.PipelinePlan | None = None
        self.pipeline_errors: list[schema.PipelineError] = []
        source = self.fields["source"]
        # No maxlength in the page: a browser cuts a longer paste silently, losing its end.
        # The server refuses it instead, with the text kept, in the command line's words.
        source.widget.attrs.pop("maxlength", None)
        source.error_messages["max_length"] = gettext(
            "The text is too long: a pipeline has at most %(max)d characters."
        ) % {"max": schema.MAX_SOURCE_CHARS}

    def clean_source(self):
        return self.cleaned_data["source"].replace("\r\n", "\n")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        too_long = gettext("The file is too long: a pipeline has at most %(max)d characters.") % {
            "max": schema.MAX_SOURCE_CHARS
        }
        if upload.size > MAX_SOURCE_BYTES:
            raise ValidationError(too_long, code="too_long")
        try:
            text = decode_utf8(upload.read(MAX_SOURCE_BYTES + 1), upload.name)
        except NotUtf8 as error:
            raise ValidationError(str(error), code="not_utf8") from None
        if len(text) > schema.MAX_SOURCE_CHARS:
            raise ValidationError(too_long, code="too_long")
        return text.replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("file")
        if text is not None:
            self._errors.pop("source", None)  # a file that could be read replaces the text
        if self.has_error("source") or self.has_error("file"):
            return cleaned
        upload = self.files.get(self.add_prefix("file"))
        if text is None:
            text, fmt = cleaned.get("source", ""), "yaml"
        else:
            fmt = schema.detect_format(text, upload.name if upload else "")
            # The file's text takes the place of what was in the editor, to be corrected there.
            self.data = self.data.copy()
            self.data[self.add_prefix("source")] = text
            cleaned["source"] = text
        plan, errors = schema.check_text(text, fmt=fmt)
        if not errors:
            errors = self._key_errors(plan)
        if errors:
            self.pipeline_errors = errors
            self.add_error(
                "source", [ValidationError(str(error), code="pipeline") for error in errors]
            )
            return cleaned
        self.plan = plan
        return cleaned

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
