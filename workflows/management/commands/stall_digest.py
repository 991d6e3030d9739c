from django.core.management.base import BaseCommand

from workflows.staffing.alerts import send_stall_digest


class Command(BaseCommand):
    help = (
        "E-mail administrators and quality officers the cases without progress for "
        "WORKFLOW_STALL_DAYS days and the tasks that need staff (run daily from cron)."
    )

    def handle(self, *args, **options):
        count = send_stall_digest()
        self.stdout.write(f"{count} waiting case(s) or task(s) reported")
