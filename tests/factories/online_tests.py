"""Question banks imported from ``data/question_banks/`` through
``assessments.online_tests.services``."""

from pathlib import Path

import factory

from assessments.models import QuestionBank
from assessments.online_tests import services

QUESTION_BANK_FILES = Path(__file__).parent / "data" / "question_banks"
# The bank file of each specification of ``catalogue.CATALOGUE`` that has a test.
CATALOGUE_BANKS = {"python-basics": "python-basics", "mig-mag-welding": "welding-safety"}


class QuestionBankFactory(factory.Factory):
    """The bank of ``data/question_banks/<name>.yaml`` for ``specification``."""

    class Meta:
        model = QuestionBank

    name = "python-basics"

    @classmethod
    def _create(cls, model_class, *, specification, name, actor=None):
        text = (QUESTION_BANK_FILES / f"{name}.yaml").read_text(encoding="utf-8")
        return services.import_bank(text, specification=specification, actor=actor)


def catalogue_banks(catalogue: dict) -> list[QuestionBank]:
    """The banks of the specifications in ``catalogue`` (by slug) that have one."""
    return [
        QuestionBankFactory(specification=catalogue[slug], name=name)
        for slug, name in CATALOGUE_BANKS.items()
        if slug in catalogue
    ]
