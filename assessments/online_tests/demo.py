"""Demo question banks, imported from the YAML files in ``demo_banks/`` like any other bank."""

from pathlib import Path

from assessments.online_tests import services
from credentials.catalogue.models import Specification

DEMO_BANKS = {
    "python-basics.yaml": "python-basics",
    "welding-safety.yaml": "mig-mag-welding",
}
FOLDER = Path(__file__).parent / "demo_banks"


def seed_question_banks() -> list:
    """Import the demo banks for the demo specifications that exist; safe to run again."""
    banks = []
    for name, slug in DEMO_BANKS.items():
        specification = Specification.objects.filter(slug=slug).first()
        if specification is not None:
            text = (FOLDER / name).read_text(encoding="utf-8")
            banks.append(services.import_bank(text, specification=specification, actor=None))
    return banks
