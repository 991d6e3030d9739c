from django.core.management.base import BaseCommand, CommandError

from assessments.online_tests import services
from credentials.catalogue.models import Specification


class Command(BaseCommand):
    help = "Import a question bank from a YAML file (see docs/question-banks.md)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        importer = commands.add_parser("import", help="Create or update a bank from a YAML file.")
        importer.add_argument("file", help="the bank's YAML file")
        importer.add_argument(
            "--specification", required=True, help="slug of the micro-credential it belongs to"
        )

    def handle(self, *args, file, specification, **options):
        spec = Specification.objects.filter(slug=specification).first()
        if spec is None:
            raise CommandError(
                f"No micro-credential has the slug “{specification}”: check it in the catalogue."
            )
        try:
            with open(file, "rb") as source:
                data = source.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            # Strictly UTF-8 (a byte order mark is fine); another encoding is never guessed.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise CommandError(
                f"{file} is not saved as UTF-8: line {line} holds bytes in another encoding, "
                "which is not guessed. Save the file as UTF-8 and try again."
            ) from None
        try:
            bank = services.import_bank(text, specification=spec, actor=None)
        except services.BankImportError as error:
            lines = "\n".join(f"  {file}: {problem}" for problem in error.errors)
            raise CommandError(f"The bank was not imported:\n{lines}") from error
        active = bank.questions.filter(active=True).count()
        self.stdout.write(
            f"Imported bank “{bank.slug}” for {spec.slug}: {active} questions in use."
        )
