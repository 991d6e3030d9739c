from django.core.management.base import BaseCommand

from quality.statistics import rollups


class Command(BaseCommand):
    help = (
        "Quality assurance upkeep. `quality rebuild_rollups` recomputes the dashboard's roll-ups "
        "from the scores, step results and cases (idempotent: run it again at any time)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "rebuild_rollups",
            help="Recompute every roll-up of the dashboard from the raw rows, in one transaction",
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "rebuild_rollups":
            written = rollups.rebuild()
            self.stdout.write(
                "Roll-ups rebuilt: " + ", ".join(f"{n} {name}" for name, n in written.items())
            )
