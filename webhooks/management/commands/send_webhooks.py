from django.core.management.base import BaseCommand

from webhooks import services


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due: retries and any a worker lost. "
        "Run it every minute from cron when Celery beat is not used."
    )

    def handle(self, *args, **options):
        sent = services.send_due()
        self.stdout.write(f"{sent} webhook deliveries sent")
