"""Audit events, measures, outcomes, durations and charts in words (quality.audits.wording,
quality.statistics.units, quality.statistics.charts)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from quality.audits import wording
from quality.audits.dossier import build
from quality.statistics import figures, units
from quality.statistics.charts import bar_chart
from tests.factories.cases import decide_python_case

pytestmark = pytest.mark.django_db

REPR = re.compile(r"\{'|\['|': |\bTrue\b|\bFalse\b|\bNone\b")


@pytest.fixture
def case(demo, candidate, assessor, decision_maker):
    return decide_python_case(demo["python-basics"], candidate, assessor, decision_maker)


@pytest.fixture
def words(case):
    return wording.Vocabulary.of_case(case)


@pytest.fixture
def outcomes(case):
    return list(case.specification.outcomes.order_by("position"))


def _flat(described: wording.Wording) -> str:
    return " | ".join(
        [described.sentence, *(f"{d.label}: {'; '.join(d.values)}" for d in described.details)]
    )


def test_it_words_taking_a_task_with_the_step_and_task_titles(words):
    described = wording.describe(
        "case.task_taken", {"task": "assess_1", "step": "portfolio"}, words
    )
    assert described.sentence == "Took the task “Assessment” of step “Portfolio review”"
    assert described.details == []


def test_it_words_a_completed_step_with_its_measures(words, outcomes):
    passed = [str(o.pk) for o in outcomes[:3]]
    described = wording.describe(
        "case.step_completed",
        {
            "measures": {
                "divergence": 1.5,
                "outcomes_passed": passed,
                "outcomes_passed_ratio": 0.6,
                "passed": False,
                "score_mean": 3.25,
            },
            "next_step": "knowledge-test",
            "skipped": [],
            "step": "portfolio",
        },
        words,
    )
    assert described.sentence == "Step “Portfolio review” completed; next step “Knowledge test”"
    ((label, values),) = [(d.label, d.values) for d in described.details]
    assert label == "Result of the step"
    assert values == [
        f"average score 3.25 of 4; {len(passed)} of {len(outcomes)} learning outcomes passed; "
        "step not passed; divergence between markers 1.5"
    ]


def test_it_reads_scores_and_recognised_outcomes_as_statements(words, outcomes):
    first, second = outcomes[0], outcomes[1]
    described = wording.describe(
        "case.task_completed",
        {
            "outcome": "partial",
            "panel_seat": True,
            "recognised_outcomes": [str(second.pk), str(first.pk)],
            "step": "decision",
            "task": "decision",
        },
        words,
    )
    scored = wording.describe(
        "case.task_completed",
        {"scores": {str(first.pk): 3}, "step": "portfolio", "task": "assess_1"},
        words,
    )
    details = {d.label: d.values for d in described.details}
    assert described.sentence == "Completed the task “Decision” of step “Decision”"
    assert details["Decision"] == ["Partial recognition"]
    assert details["Vote of a panel member"] == ["yes"]
    recognised = details["Recognised learning outcomes"]
    assert recognised[0].startswith(f"1. {first.statement.split()[0]}")
    assert recognised[1].startswith(f"2. {second.statement.split()[0]}")
    ((label, scores),) = [(d.label, d.values) for d in scored.details]
    assert label == "Scores" and scores[0].startswith("1. ") and scores[0].endswith(": 3 of 4")
    assert scores[0] == f"1. {first.statement.rstrip('.')}: 3 of 4"


def test_it_flattens_nested_changes_and_hides_ids(words):
    described = wording.describe(
        "case.decision_overturned",
        {
            "appeal": 7,
            "from": {"outcome": "none", "recognised_outcomes": []},
            "to": {"outcome": "full", "recognised_outcomes": []},
        },
        words,
    )
    assert described.sentence == "The decision was overturned on appeal"
    assert [(d.label, d.values) for d in described.details] == [
        ("Before › Decision", ["No recognition"]),
        ("Before › Recognised learning outcomes", ["—"]),
        ("After › Decision", ["Full recognition"]),
        ("After › Recognised learning outcomes", ["—"]),
    ]


@pytest.mark.parametrize(
    "action, changes, sentence",
    [
        ("appeal.reviewed", {"recommendation": "overturn"}, "Overturn the decision"),
        ("appeal.decided", {"case": 1, "outcome": "upheld"}, "Decision upheld"),
        ("appeal.submitted", {"case": 1, "decision": "none"}, "No recognition"),
        ("quality.audit_sampled", {"audit": 3, "reason": "near_threshold"}, "pass threshold"),
        ("quality.audit_reviewed", {"verdict": "finding"}, "Finding recorded"),
        ("credential.suspended", {"from": "active", "to": "suspended"}, "Suspended"),
        ("case.deadline_missed", {"step": "portfolio", "task": 12}, "Portfolio review"),
        ("quality.viewed", {"page": "dossier.pdf"}, "Downloaded the dossier of the case (PDF)"),
    ],
)
def test_it_words_codes_by_their_labels(words, action, changes, sentence):
    described = wording.describe(action, changes, words)
    text = _flat(described)
    assert sentence in text
    assert not REPR.search(text)
    assert not re.search(r"\b(near_threshold|overturn|none|active)\b", described.sentence)


def test_it_words_every_other_value_readably(words):
    described = wording.describe(
        "credential.issued",
        {
            "case": 1,
            "key": "key-1",
            "learner": 4,
            "specification": "python-basics",
            "valid_until": None,
        },
        words,
    )
    details = {d.label: d.values for d in described.details}
    assert details == {
        "Signing key": ["key-1"],
        "Micro-credential": ["Python programming basics"],
        "Valid until": ["no end date"],
    }
    described = wording.describe(
        "case.appointment_proposed",
        {"duration_minutes": 30, "place": "Room 4", "slots": ["2026-05-04T09:00:00+00:00"]},
        words,
    )
    details = {d.label: d.values for d in described.details}
    assert details["Duration"] == ["30 minutes"] and details["Place"] == ["Room 4"]
    (moment,) = details["Times proposed"]
    assert "May" in moment and "2026" in moment and "T09" not in moment  # a date, not ISO


def test_it_falls_back_to_words_for_an_action_nobody_named(words):
    described = wording.describe(
        "case.reopened_by_hand",
        {"why_now": {"old_state": [1, True, None]}, "flag": False, "items": ["a", "b"]},
        words,
    )
    text = _flat(described)
    assert described.sentence == "Case: reopened by hand"
    assert "Why now › Old state: 1, yes, —" in text
    assert "Flag: no" in text and "Items: a, b" in text
    assert not REPR.search(text) and "_" not in text
    assert wording.describe("something", None, words).sentence == "Something"
    assert wording.describe("webhook.sent", [1, 2], words).sentence == "Sent"


def test_it_speaks_polish_in_polish(words):
    with translation.override("pl"):
        described = wording.describe(
            "case.task_completed",
            {"outcome": "full", "score_percent": 72.5, "step": "portfolio", "task": "assess_1"},
            words,
        )
        phrases = wording.measure_phrases({"score_mean": 2.75}, words.plan_step("portfolio"), words)
    text = _flat(described)
    assert "Ocena portfolio" in text and "Pełne uznanie" in text and "72,5 %" in text
    assert phrases == ["średnia ocena 2,75 na 4"]


def test_every_audited_action_of_a_case_has_a_sentence():
    """The actions the dossier's trail shows (events on a case, its application, appeal and
    credential, and the quality officers' own) each read as a sentence of their own."""
    found = set()
    written = re.compile(r'action=\s*"([a-z_]+\.[a-z_]+)"(?:\s+if\s[^\n]*?else\s+"([a-z_.]+)")?')
    for app in ("workflows", "evidence", "credentials", "quality", "assessments"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for match in written.finditer(path.read_text(encoding="utf-8")):
                found |= {name for name in match.groups() if name}
    dossier_actions = {
        a
        for a in found
        if a.split(".")[0] in {"case", "appeal", "application", "evidence", "credential", "quality"}
    }
    assert "case.task_taken" in dossier_actions and "credential.issued" in dossier_actions
    unworded = dossier_actions - set(wording.SENTENCES) - {"quality.viewed"}
    # Events that never target a case's things never reach a dossier.
    assert unworded <= {"evidence.abandoned_uploads_swept"}, unworded


def test_the_dossier_reads_the_trail_in_words(case):
    dossier = build(case.pk)
    sentences = [item.words.sentence for item in dossier["trail"]]
    assert "Started the case" in sentences
    assert "Took the task “Assessment” of step “Portfolio review”" in sentences
    assert "Issued the credential" in sentences
    portfolio = next(e for e in dossier["steps"] if e["step"].id == "portfolio")
    assert portfolio["title"] == "Portfolio review"
    assert portfolio["measures_text"].startswith("average score 4 of 4; ")


def test_near_threshold_reasons_name_steps_and_outcomes(words, outcomes):
    lines = wording.near_lines(
        [
            {"step": "portfolio", "outcome": str(outcomes[0].pk), "score": 2.0, "threshold": 2},
            {"step": "portfolio", "measure": "score_mean", "score": 2.4, "threshold": 2.5},
            {"step": "knowledge-test", "measure": "score_percent", "score": 72.0, "threshold": 70},
        ],
        words,
    )
    assert lines[0].startswith("Portfolio review, learning outcome 1. ")
    assert lines[0].endswith(": 2 against a threshold of 2")
    assert lines[1] == "Portfolio review, average score: 2.4 of 4 against a threshold of 2.5"
    assert lines[2] == "Knowledge test, test score: 72 % against a pass mark of 70 %"


@pytest.mark.parametrize(
    "duration, words",
    [
        (timedelta(milliseconds=340), "340 milliseconds"),
        (timedelta(seconds=1), "1.0 seconds"),
        (timedelta(seconds=42.25), "42.2 seconds"),
        (timedelta(minutes=12, seconds=30), "12.5 minutes"),
        (timedelta(hours=3, minutes=15), "3.2 hours"),
        (timedelta(days=1, hours=12), "1.5 days"),
        (None, "—"),
    ],
)
def test_it_gives_a_duration_in_the_unit_that_shows_it(duration, words):
    assert units.duration(duration) == words


def test_it_tells_short_waits_apart():
    waits = [timedelta(milliseconds=120), timedelta(milliseconds=340), timedelta(hours=2)]
    assert len({units.duration(w) for w in waits}) == 3
    with translation.override("pl"):
        assert units.duration(timedelta(hours=1, minutes=30)).startswith("1,5 ")
        assert units.number(3.25) == "3,25" and units.number(4.0) == "4"


def test_a_chart_keeps_every_label_whole_and_shows_every_value():
    label = "Clarifying interview with a very long title · Agile project management"
    svg = str(
        bar_chart(
            chart_id="c",
            title="Mean time at each step",
            description="Longest first.",
            rows=[(label, 5, "5.0 hours", False), ("Short", 0.5, "30.0 minutes", True)],
            maximum=5,
        )
    )
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines[:-1]) == label and lines[-1] == "Short"
    assert "5.0 hours" in svg and "30.0 minutes" in svg and "…" not in svg
    assert 'class="chart-row chart-row-flagged"' in svg


def test_step_waits_name_their_steps(case):
    period = figures.Period(case.created - timedelta(days=1), case.created + timedelta(days=1))
    titles = {row["step"]: row["step_title"] for row in figures.step_waits(period)}
    assert titles == {
        "portfolio": "Portfolio review",
        "knowledge-test": "Knowledge test",
        "decision": "Decision",
    }
