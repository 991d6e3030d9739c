from django.core.management.base import BaseCommand, CommandError

from rpl.audit.models import AuditEvent
from rpl.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Work with the audit log. `audit verify` checks the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "verify", help="Check every event's hash and link; exit 1 on the first break"
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            broken = verify_chain()
            if broken is not None:
                raise CommandError(f"Audit chain broken at event {broken.label}: {broken.reason}")
            count = AuditEvent.objects.count()
            self.stdout.write(self.style.SUCCESS(f"OK: {count} audit events, chain intact"))
