"""`pipeline check|import|publish|export|demo`: pipelines as files, with the editor's messages."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.pipelines import schema, selectors, services
from workflows.pipelines.forms import MAX_SOURCE_BYTES, NotUtf8, decode_utf8


def _stdin_bytes(limit: int) -> bytes:
    """Standard input as the bytes that came in (a text stream set in its place, as tests and
    embedding programs do, gives back its bytes, undecodable ones included)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        return stream.read(limit)
    return sys.stdin.read(limit).encode("utf-8", errors="surrogateescape")


class Command(BaseCommand):
    help = (
        "Work with pipeline files (YAML or JSON). `check FILE` validates; `import FILE` saves the "
        "draft; `publish KEY` freezes the draft; `export KEY` prints the published version; "
        "`demo` imports and publishes the demo pipelines. Exit status 1 on any error."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("check", help="Validate a file; print OK or every error")
        check.add_argument("file", help="a .yaml, .yml or .json file, or - for standard input")
        imp = sub.add_parser("import", help="Validate a file and save it as the pipeline's draft")
        imp.add_argument("file", help="a .yaml, .yml or .json file, or - for standard input")
        imp.add_argument("--actor", help="e-mail of the user to record in the audit log")
        pub = sub.add_parser("publish", help="Publish the pipeline's draft")
        pub.add_argument("key")
        pub.add_argument("--actor", help="e-mail of the user to record in the audit log")
        exp = sub.add_parser("export", help="Print the published version (or --number N)")
        exp.add_argument("key")
        exp.add_argument("--format", dest="fmt", choices=["yaml", "json"], default="yaml")
        exp.add_argument("--number", type=int, help="a version number instead of the published")
        demo = sub.add_parser("demo", help="Import and publish the demo pipelines")
        demo.add_argument("--actor", help="e-mail of the user to record in the audit log")

    def handle(self, *args, subcommand, **options):
        getattr(self, f"_{subcommand}")(**options)

    # -- helpers ----------------------------------------------------------------------------

    def _read(self, name: str) -> tuple[str, str | None]:
        """The text of a file, or of standard input for ``-``, read as bytes and decoded strictly
        as UTF-8 (a byte order mark is fine), whatever the locale says: any other encoding is
        refused with a message, never guessed."""
        try:
            if name == "-":
                data = _stdin_bytes(MAX_SOURCE_BYTES + 1)
            else:
                with Path(name).open("rb") as source:
                    data = source.read(MAX_SOURCE_BYTES + 1)
        except FileNotFoundError as exc:
            raise CommandError(f"{name}: no such file") from exc
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror}") from exc
        if len(data) > MAX_SOURCE_BYTES:
            raise CommandError(
                f"{name}: "
                + _("The text is too long: a pipeline has at most %(max)d characters.")
                % {"max": schema.MAX_SOURCE_CHARS}
            )
        try:
            text = decode_utf8(data, None if name == "-" else name)
        except NotUtf8 as exc:
            raise CommandError(str(exc)) from None
        return text, None if name == "-" else schema.detect_format(text, name)

    def _actor(self, email: str | None):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the e-mail {email}")
        return user

    def _fail(self, errors: list[schema.PipelineError], name: str, verb: str):
        for error in errors:
            self.stderr.write(str(error))
        count = len(errors)
        raise CommandError(
            ngettext(
                "%(name)s: %(count)d error, %(verb)s",
                "%(name)s: %(count)d errors, %(verb)s",
                count,
            )
            % {"name": name, "count": count, "verb": verb}
        )

    # -- subcommands ------------------------------------------------------------------------

    def _check(self, file, **options):
        text, fmt = self._read(file)
        _plan, errors = schema.check_text(text, fmt)
        if errors:
            self._fail(errors, file, _("not valid"))
        self.stdout.write("OK")

    def _import(self, file, actor=None, **options):
        text, fmt = self._read(file)
        user = self._actor(actor)
        try:
            outcome = services.import_text(actor=user, text=text, fmt=fmt)
        except services.InvalidPipeline as exc:
            self._fail(exc.errors, file, _("nothing imported"))
        version = outcome.version
        key = version.pipeline.key
        if outcome.outcome == "unchanged":
            self.stdout.write(f"{key} v{version.number} ({version.status}): unchanged")
        else:
            self.stdout.write(f"{key} v{version.number} (draft): {outcome.outcome}")

    def _publish(self, key, actor=None, **options):
        user = self._actor(actor)
        try:
            version = services.publish(actor=user, key=key)
        except services.InvalidPipeline as exc:
            self._fail(exc.errors, key, _("not published"))
        except services.PipelineServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{key} v{version.number} published"))

    def _export(self, key, fmt="yaml", number=None, **options):
        if number is None:
            version = selectors.published_version(key)
            if version is None:
                raise CommandError(f"{key}: no published version (use --number for a draft)")
        else:
            version = selectors.version(key, number)
            if version is None:
                raise CommandError(f"{key}: no version {number}")
        self.stdout.write(selectors.export_text(version, fmt), ending="")

    def _demo(self, actor=None, **options):
        for version in services.install_demo_pipelines(actor=self._actor(actor)):
            self.stdout.write(f"{version.pipeline.key} v{version.number} ({version.status})")
