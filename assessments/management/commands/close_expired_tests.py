from django.core.management.base import BaseCommand

from assessments.online_tests.services import close_expired


class Command(BaseCommand):
    help = "Close online test attempts left open past their time limit, so that cases move on."

    def handle(self, *args, **options):
        self.stdout.write(f"Closed {close_expired()} expired attempt(s).")
