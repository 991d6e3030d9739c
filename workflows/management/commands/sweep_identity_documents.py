from django.core.management.base import BaseCommand

from workflows.identity.services import sweep


class Command(BaseCommand):
    help = (
        "Delete identity documents left by cases whose identity step ended without a recorded "
        "check (withdrawn, cancelled, moved on), and files an earlier deletion left behind."
    )

    def handle(self, *args, **options):
        retired = sweep()
        self.stdout.write(f"{retired} identity document(s) deleted.")
