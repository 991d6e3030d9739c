"""The typed records of what people record on a case's steps, and the measures built from them."""

import json

import pytest
from pydantic import ValidationError

from assessments.scoresheets import measures, records
from assessments.scoresheets.rubric import PassRule

RULES = {"valid": True, "authentic": True, "current": True, "sufficient": False}

# (role, data as the engine stores it, kind of record): one of each shape the writers produce.
STORED = [
    (
        "identity_officer",
        {"verified": True, "note": "Passport seen.", "method": "in_person", "round": 1},
        records.IdentityCheck,
    ),
    (
        "identity_officer",
        {
            "verified": True,
            "note": "",
            "method": "electronic_id",
            "method_label": "electronic ID (Test eID)",
            "assertion": {"adapter": "test", "level_of_assurance": "high"},
            "round": 1,
        },
        records.IdentityCheck,
    ),
    ("identity_officer", {"verified": False}, records.IdentityCheck),
    (
        "assessor",
        {
            "scores": {"1": 3, "2": 1},
            "comments": {"1": "Clear."},
            "rules": {"1": RULES, "2": RULES},
            "round": 2,
        },
        records.ScoreSheet,
    ),
    (
        "assessor",
        {"scores": {"1": 4}, "comments": {}, "notes": "Asked about X.", "round": 1},
        records.ScoreSheet,
    ),
    ("assessor", {"more_evidence": "A report, please.", "round": 1}, records.EvidenceRequest),
    ("moderator", {"scores": {"1": 2}, "comments": {}, "round": 1}, records.Moderation),
    ("assessor", {"score_percent": 88.5, "round": 1}, records.TestResult),
    ("assessor", {"score_percent": 80, "round": 1}, records.TestResult),
    (
        "assessor",
        {
            "score_percent": 72.5,
            "attempt": 7,
            "marks": {"12": 1.5},
            "comments": {"12": "Half right."},
            "round": 1,
        },
        records.TestMarking,
    ),
    (
        "automatic",
        {
            "score_percent": 0.0,
            "attempt": None,
            "attempts": 0,
            "supervised": False,
            "needs_marking": False,
            "round": 1,
        },
        records.TestSitting,
    ),
    (
        "decision_maker",
        {"outcome": "partial", "recognised_outcomes": ["1"], "reasons": "Some.", "round": 1},
        records.Decision,
    ),
    ("decision_maker", {"outcome": "full", "reasons": "Bulk.", "round": 1}, records.Decision),
]


@pytest.mark.parametrize(("role", "data", "kind"), STORED)
def test_stored_data_reads_as_its_kind_and_writes_back_byte_for_byte(role, data, kind):
    record = records.parse(data, role=role)
    assert type(record) is kind
    assert json.dumps(record.stored()) == json.dumps(data)


def test_the_engine_adds_the_round_last_and_a_missing_round_reads_as_the_first():
    record = records.parse({"round": 3, "verified": True, "note": ""}, role="identity_officer")
    assert list(record.stored()) == ["verified", "note", "round"]
    assert records.parse({"verified": True}, role="identity_officer").round == 1


def test_a_score_sheet_reads_typed():
    sheet = records.parse(STORED[3][1], role="assessor")
    assert sheet.scores == {"1": 3, "2": 1} and sheet.comments == {"1": "Clear."}
    assert sheet.rules["1"].valid and not sheet.rules["1"].all_met
    assert sheet.notes == "" and sheet.round == 2


@pytest.mark.parametrize(
    ("role", "data"),
    [
        ("identity_officer", {"note": "no result"}),
        ("identity_officer", {"verified": "yes"}),
        ("assessor", {"scores": {}}),
        ("assessor", {"scores": {"1": 2.5}}),
        ("assessor", {"scores": {"1": -1}}),
        ("assessor", {"scores": {"1": 3}, "score": 3}),
        ("assessor", {"scores": {"1": 3}, "rules": {"1": {"valid": True}}}),
        ("assessor", {"more_evidence": ""}),
        ("assessor", {"score_percent": 101}),
        ("assessor", {"score_percent": float("nan")}),
        ("assessor", {"score_percent": 50, "attempt": 1, "marks": {"3": -1}}),
        ("automatic", {"score_percent": 50, "attempt": 1}),
        ("decision_maker", {"outcome": "maybe", "reasons": "x"}),
        ("decision_maker", {"outcome": "full"}),
        ("decision_maker", {"outcome": "full", "reasons": "x", "round": 0}),
    ],
)
def test_data_that_does_not_fit_its_kind_is_refused(role, data):
    with pytest.raises(ValidationError):
        records.parse(data, role=role)


def test_an_unknown_role_has_no_record():
    with pytest.raises(ValueError, match="No record kind"):
        records.parse({"verified": True}, role="candidate")


def test_records_are_frozen():
    decision = records.parse({"outcome": "none", "reasons": "x"}, role="decision_maker")
    with pytest.raises(ValidationError):
        decision.outcome = "full"


RULE = PassRule(outcome_min_score=3.0, min_outcomes_passed_ratio=0.5)


def test_scored_measures_judge_the_assessors_mean_by_the_pass_rule():
    found = measures.scored_measures([{"1": 4, "2": 2}, {"1": 2, "2": 2}], pass_rule=RULE)
    assert found == {
        "score_mean": 2.5,
        "outcomes_passed_ratio": 0.5,
        "passed": True,
        "divergence": 2.0,
        "outcomes_passed": ["1"],
    }
    assert measures.needs_moderation(found, threshold=2.0)
    assert not measures.needs_moderation(found, threshold=None)


def test_a_moderators_sheet_is_the_judgement_and_the_divergence_stays():
    found = measures.scored_measures([{"1": 4}, {"1": 0}], {"1": 1}, pass_rule=RULE)
    assert found["score_mean"] == 1.0 and not found["passed"] and found["divergence"] == 4.0


def test_test_and_identity_measures():
    assert measures.test_measures(69.99999, pass_mark_percent=70) == {
        "score_percent": 70.0,
        "passed": False,
    }
    assert measures.identity_measures(True) == {"verified": True}
