from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Question, TestSitting
from assessments.online_tests import services
from assessments.online_tests.bank_schema import check_bank
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import PYTHON_BASICS, make_specification

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

BANK = """\
bank: sample
title: {en: Sample bank, pl: Przykładowy bank}
questions:
  - id: q-one
    kind: single
    outcomes: [1]
    text: {en: "Two plus two?", pl: "Dwa plus dwa?"}
    options:
      - {en: "4", correct: true}
      - {en: "5"}
  - id: q-two
    kind: multiple
    points: 2
    outcomes: [1, 2]
    text: Which are even?
    options:
      - {en: "2", correct: true}
      - {en: "4", correct: true}
      - {en: "5"}
  - id: q-three
    kind: short
    points: 3
    text: Explain why.
    model_answer: Because.
"""


@pytest.fixture
def spec():
    return make_specification(outcomes=5, **PYTHON_BASICS)


def test_it_accepts_the_documented_example_and_the_demo_banks():
    doc = (ROOT / "docs" / "question-banks.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n")[1].split("```")[0]
    demo = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "assessments" / "online_tests" / "demo_banks").iterdir()
    ]
    for text in [BANK, example, *demo]:
        bank, errors = check_bank(text)
        assert errors == []
        assert bank.questions


@pytest.mark.parametrize(
    ("change", "path", "line", "words"),
    [
        (("    kind: single\n", "    kind: choice\n", 1), "questions[0].kind", 5, "Use one of"),
        (
            ('      - {en: "4", correct: true}\n', '      - {en: "4"}\n', 1),
            "questions[0]",
            4,
            "exactly one option",
        ),
        (("    points: 2\n", "    points: 0\n", 1), "questions[1].points", 13, "from 1 to 100"),
        (("    model_answer: Because.\n", "", 1), "questions[2]", 20, "model_answer"),
        (("  - id: q-two\n", "  - id: q-one\n", 1), "", None, "used twice"),
        (
            ("    text: Explain why.\n", "    text: Explain why.\n    colour: red\n", 1),
            "questions[2].colour",
            24,
            "not known",
        ),
    ],
)
def test_it_names_the_place_and_line_of_each_mistake_and_says_what_to_do(change, path, line, words):
    old, new, count = change
    bank, errors = check_bank(BANK.replace(old, new, count))
    assert bank is None
    assert [(e.path, e.line) for e in errors] == [(path, line)]
    assert words in errors[0].message


def test_it_points_at_the_line_of_a_yaml_syntax_error():
    _bank, errors = check_bank(BANK.replace("title: {en", "title: [en"))
    assert errors[0].line == 2
    assert "not valid YAML" in str(errors[0])


def test_it_refuses_aliases_and_non_mappings():
    assert check_bank("a: &x [1]\nb: *x\n")[1]
    assert "mapping" in str(check_bank("- just a list\n")[1][0])


def test_it_imports_questions_with_options_and_outcomes_and_audits(spec, administrator):
    bank = services.import_bank(BANK, specification=spec, actor=administrator)
    assert bank.title == "Sample bank"
    two = bank.questions.get(key="q-two")
    assert [(o.label, o.correct) for o in two.options.all()] == [
        ("2", True),
        ("4", True),
        ("5", False),
    ]
    assert sorted(o.position for o in two.outcomes.all()) == [1, 2]
    assert bank.questions.get(key="q-three").model_answer == "Because."
    event = AuditEvent.objects.get(action="assessments.bank_imported")
    assert event.changes["questions"] == 3


def test_it_refuses_outcomes_the_specification_does_not_have(spec, administrator):
    with pytest.raises(services.BankImportError) as error:
        services.import_bank(BANK.replace("[1, 2]", "[1, 9]"), specification=spec, actor=None)
    assert error.value.errors[0].path == "questions[1].outcomes"
    assert "no learning outcome 9" in error.value.errors[0].message


def test_it_updates_unused_questions_and_retires_those_left_out(spec):
    services.import_bank(BANK, specification=spec, actor=None)
    shorter = BANK.split("  - id: q-three")[0].replace("Two plus two?", "Three plus one?")
    bank = services.import_bank(shorter, specification=spec, actor=None)
    assert bank.questions.get(key="q-one").text_en == "Three plus one?"
    assert bank.questions.get(key="q-three").active is False
    again = services.import_bank(BANK, specification=spec, actor=None)
    assert again.questions.get(key="q-three").active is True
    assert Question.objects.filter(bank=again).count() == 3


def test_it_refuses_to_change_a_question_already_drawn_in_a_test(spec, candidate):
    from workflows.models import Case

    bank = services.import_bank(BANK, specification=spec, actor=None)
    case = Case.objects.create(
        candidate=candidate,
        specification=spec,
        pipeline_version=_any_version(),
        plan={},
    )
    sitting = TestSitting.objects.create(
        case=case,
        step_id="t",
        candidate=candidate,
        bank=bank,
        questions=3,
        pass_mark_percent=50,
        attempts_allowed=1,
        supervised=False,
    )
    sitting.attempts.create(
        number=1,
        drawn=[{"question": q.pk, "options": []} for q in bank.questions.all()],
        started_at=sitting.invited_at,
        max_points=6,
        short_max_points=3,
    )
    with pytest.raises(services.BankImportError) as error:
        services.import_bank(
            BANK.replace("Explain why.", "Explain."), specification=spec, actor=None
        )
    assert "cannot change" in str(error.value)
    assert error.value.errors[0].path == "questions[2]"
    services.import_bank(BANK.split("  - id: q-three")[0], specification=spec, actor=None)
    assert bank.questions.get(key="q-three").active is False


def _any_version():
    from tests.factories.pipelines import publish_all
    from workflows.models import PipelineVersion

    publish_all()
    return PipelineVersion.objects.filter(status="published").first()


def test_it_imports_from_the_command_line_and_reports_errors_with_the_file_name(
    spec, tmp_path, capsys
):
    good = tmp_path / "bank.yaml"
    good.write_text(BANK, encoding="utf-8")
    call_command("question_bank", "import", str(good), "--specification", spec.slug)
    assert "3 questions in use" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(BANK.replace("kind: short", "kind: essay"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("question_bank", "import", str(bad), "--specification", spec.slug)
    assert f"{bad}: questions[2].kind (line 21)" in str(error.value)
    with pytest.raises(CommandError, match="No micro-credential"):
        call_command("question_bank", "import", str(good), "--specification", "nope")
