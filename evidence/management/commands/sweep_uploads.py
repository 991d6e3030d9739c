from django.conf import settings
from django.core.management.base import BaseCommand

from evidence.uploads import services


class Command(BaseCommand):
    help = (
        "Delete unfinished chunked evidence uploads with no activity for "
        "EVIDENCE_ABANDONED_UPLOAD_HOURS (with their partial files), and files under incoming/ "
        "that no unfinished upload refers to and that are as old. Stored evidence is never "
        "touched. Run it hourly from cron, or use the beat entry sweep-abandoned-uploads."
    )

    def handle(self, *args, **options):
        result = services.sweep_abandoned_uploads()
        hours = settings.EVIDENCE_ABANDONED_UPLOAD_HOURS
        self.stdout.write(
            f"{len(result.uploads)} abandoned upload(s) and {len(result.fragments)} leftover "
            f"partial file(s) older than {hours} hour(s) deleted ({result.bytes} bytes)."
        )
