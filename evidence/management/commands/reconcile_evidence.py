from django.core.management.base import BaseCommand, CommandError

from evidence.uploads import selectors


class Command(BaseCommand):
    help = (
        "Compare the evidence storage with the records that name its files, read only: stored "
        "files no record names, records whose file is missing, partial upload files no unfinished "
        "upload owns, and unfinished uploads whose partial file is missing. Prints each problem "
        "and exits 1 when there is any."
    )

    def handle(self, *args, **options):
        problems = selectors.reconcile()
        if not problems:
            self.stdout.write("The evidence storage and the records agree.")
            return
        for problem in problems:
            self.stdout.write(problem.description)
        raise CommandError(f"{len(problems)} problem(s) found; nothing was changed.")
