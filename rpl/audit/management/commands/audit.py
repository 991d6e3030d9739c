from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rpl.audit import checkpoints, services
from rpl.audit.models import AuditEvent
from rpl.audit.selectors import verify


def _report(problems) -> str:
    return "\n".join(
        f"Audit chain broken at event {problem.label}: {problem.reason}" for problem in problems
    )


class Command(BaseCommand):
    help = (
        "Work with the audit log. `audit verify` checks the chain and the signed checkpoints; "
        "`audit checkpoint` appends a signed checkpoint of the chain head and e-mails it to the "
        "quality officers."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser(
            "verify",
            help="Check every event's hash and link and every checkpoint; exit 1 naming what "
            "was found",
        )
        check.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="the checkpoint file to check against (default: AUDIT_CHECKPOINT_FILE); "
            "exit 2 when it does not exist",
        )
        write = sub.add_parser(
            "checkpoint",
            help="Append a signed checkpoint of the chain head to the checkpoint file and "
            "e-mail it to the quality officers; exit 1 if the log does not verify",
        )
        write.add_argument(
            "--file",
            metavar="FILE",
            help="append to this file instead of AUDIT_CHECKPOINT_FILE",
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            self._verify(options.get("checkpoints"))
        elif subcommand == "checkpoint":
            self._checkpoint(options.get("file"))

    def _verify(self, given: str | None):
        if given and not Path(given).exists():
            raise CommandError(f"No checkpoint file at {given}", returncode=2)
        result = verify(given)
        if result.checkpoint_path is None:
            self.stdout.write(
                f"No checkpoint file at {checkpoints.default_path()}: only the chain was checked"
            )
        if result.problems:
            raise CommandError(_report(result.problems))
        count = AuditEvent.objects.count()
        message = f"OK: {count} audit events, chain intact"
        if result.checkpoint_path is not None:
            message += f"; {result.checkpoints} checkpoints in {result.checkpoint_path} match"
        self.stdout.write(self.style.SUCCESS(message))

    def _checkpoint(self, path: str | None):
        written = services.checkpoint(path=path)
        self.stdout.write(written.checkpoint.line)
        self.stdout.write(
            f"Appended to {written.path}; e-mailed to quality officers: {written.told}"
        )
        if written.problems:
            raise CommandError(_report(written.problems))
