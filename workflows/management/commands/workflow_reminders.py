from django.core.management.base import BaseCommand

from workflows.notifications import send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail reminders for tasks whose deadline is near (run hourly from cron)."

    def handle(self, *args, **options):
        sent = send_deadline_reminders()
        self.stdout.write(f"{sent} reminder(s) sent")
