"""Each validation rule, with the exact path it reports and a message that says what to do."""

import copy

import pytest

from workflows.pipelines import schema


def base():
    """A valid pipeline: identity, double-marked portfolio, conditional interview, decision."""
    return copy.deepcopy(
        {
            "key": "agile-pm",
            "title": {"en": "Agile PM", "pl": "Zwinne zarządzanie"},
            "steps": [
                {"id": "identity", "kind": "identity_check", "method": "video"},
                {
                    "id": "portfolio",
                    "kind": "evidence_review",
                    "assessors": 2,
                    "blind": True,
                    "rubric": {"min": 0, "max": 4},
                    "pass_rule": {"outcome_min_score": 2},
                    "moderation_divergence": 1.5,
                },
                {
                    "id": "interview",
                    "kind": "interview",
                    "rubric": {"max": 4},
                    "pass_rule": {"outcome_min_score": 2},
                    "when": {
                        "all_of": [
                            {
                                "step": "portfolio",
                                "measure": "score_mean",
                                "operator": "ge",
                                "value": 2,
                            },
                            {
                                "step": "portfolio",
                                "measure": "score_mean",
                                "operator": "lt",
                                "value": 3,
                            },
                        ]
                    },
                },
                {"id": "decision", "kind": "decision", "decided_by": "panel", "panel_size": 3},
            ],
        }
    )


def errors_of(data):
    plan, errors = schema.validate_pipeline(data)
    assert plan is None
    return {error.path: error.message for error in errors}


def test_it_accepts_the_base_pipeline():
    plan, errors = schema.validate_pipeline(base())
    assert errors == []
    assert [step.id for step in plan.steps] == ["identity", "portfolio", "interview", "decision"]
    assert plan.steps[1].rubric.range == 4
    assert plan.decision.decided_by == schema.DecidedBy.PANEL


def when(step, measure="score_mean", operator="lt", value=3):
    return {"step": step, "measure": measure, "operator": operator, "value": value}


def set_in(path, value):
    def mutate(data):
        node = data
        *head, last = path
        for part in head:
            node = node[part]
        node[last] = value

    return mutate


def delete_in(path):
    def mutate(data):
        node = data
        *head, last = path
        for part in head:
            node = node[part]
        del node[last]

    return mutate


CASES = [
    # (mutation, expected path, words the message must contain)
    (set_in(["steps", 2, "when"], when("later")), "steps[2].when.step", "There is no step 'later'"),
    (
        set_in(["steps", 1, "when"], when("interview")),
        "steps[1].when.step",
        "Step 'interview' is referenced before it runs: a condition may only use steps that come "
        "earlier (here: identity)",
    ),
    (set_in(["steps", 2, "when"], when("interview")), "steps[2].when.step", "its own result"),
    (set_in(["steps", 0, "when"], when("x")), "steps[0].when.step", "first step cannot"),
    (
        set_in(["steps", 2, "when", "all_of", 1, "step"], "decision"),
        "steps[2].when.all_of[1].step",
        "referenced before it runs",
    ),
    (
        set_in(["steps", 2, "when"], when("portfolio", measure="score_percent")),
        "steps[2].when.measure",
        "use one of score_mean, outcomes_passed_ratio, passed, divergence",
    ),
    (
        set_in(["steps", 2, "when"], when("identity", "verified", "eq", 1)),
        "steps[2].when.value",
        "set the value to true or false",
    ),
    (
        set_in(["steps", 2, "when"], when("identity", "verified", "lt", True)),
        "steps[2].when.operator",
        "compare it with eq or ne",
    ),
    (
        set_in(["steps", 2, "when"], when("portfolio", "score_mean", "lt", "three")),
        "steps[2].when.value",
        "a number from 0 to 4",
    ),
    (
        set_in(["steps", 2, "when"], when("portfolio", "score_mean", "lt", 7)),
        "steps[2].when.value",
        "outside the range",
    ),
    (
        set_in(["steps", 2, "when"], when("portfolio", "score_mean", "lt", 0)),
        "steps[2].when.value",
        "can never hold",
    ),
    (
        set_in(["steps", 2, "when"], when("portfolio", "score_mean", "between", 2)),
        "steps[2].when.operator",
        "use one of eq, ne, lt, le, gt, ge",
    ),
    (
        set_in(["steps", 2, "when"], "portfolio.score_mean < 3"),
        "steps[2].when",
        "Expressions are not evaluated",
    ),
    (
        set_in(["steps", 2, "when"], {"all_of": []}),
        "steps[2].when.all_of",
        "Add at least 1 item",
    ),
    (
        set_in(
            ["steps", 2, "when"],
            {"any_of": [{"all_of": [{"any_of": [{"all_of": [when("portfolio")]}]}]}]},
        ),
        "steps[2].when.any_of[0].all_of[0].any_of[0]",
        "at most 3 levels",
    ),
    (set_in(["steps", 2, "id"], "portfolio"), "steps[2].id", "already used by steps[1]"),
    (set_in(["steps", 2, "id"], "Interview 1"), "steps[2].id", "not a valid identifier"),
    (set_in(["key"], "Agile PM"), "key", "not a valid identifier"),
    (set_in(["steps", 3, "kind"], "interview"), "steps", "no decision"),
    (
        lambda data: data["steps"].insert(1, {"id": "early", "kind": "decision"}),
        "steps[1].kind",
        "exactly one decision",
    ),
    (
        lambda data: data["steps"].append(
            {
                "id": "late",
                "kind": "test",
                "question_bank": "b",
                "questions": 5,
                "pass_mark_percent": 50,
            }
        ),
        "steps[3].kind",
        "must be the last step",
    ),
    (
        lambda data: data.update(steps=[data["steps"][0], {"id": "decision", "kind": "decision"}]),
        "steps",
        "Nothing assesses the candidate",
    ),
    (set_in(["steps"], []), "steps", "no steps"),
    (set_in(["steps", 3, "when"], when("portfolio")), "steps[3].when", "decision always runs"),
    (set_in(["steps", 1, "assessors"], 4), "steps[1].assessors", "from 1 to 3"),
    (set_in(["steps", 1, "assessors"], 0), "steps[1].assessors", "from 1 to 3"),
    (set_in(["steps", 1, "assessors"], "two"), "steps[1].assessors", "whole number"),
    (
        set_in(["steps", 1, "pass_rule", "outcome_min_score"], 5),
        "steps[1].pass_rule.outcome_min_score",
        "set it between 0 and 4",
    ),
    (
        set_in(["steps", 1, "pass_rule", "min_outcomes_passed_ratio"], 1.2),
        "steps[1].pass_rule.min_outcomes_passed_ratio",
        "greater than 0 and at most 1",
    ),
    (
        set_in(["steps", 1, "pass_rule", "min_outcomes_passed_ratio"], 0),
        "steps[1].pass_rule.min_outcomes_passed_ratio",
        "greater than 0 and at most 1",
    ),
    (
        set_in(["steps", 1, "moderation_divergence"], 5),
        "steps[1].moderation_divergence",
        "at most 4",
    ),
    (
        set_in(["steps", 1, "assessors"], 1),
        "steps[1].moderation_divergence",
        "set assessors to 2 or 3",
    ),
    (set_in(["steps", 1, "rubric", "max"], 0), "steps[1].rubric.max", "from 1 to 100"),
    (
        set_in(["steps", 1, "rubric"], {"min": 4, "max": 4}),
        "steps[1].rubric.max",
        "greater than its min",
    ),
    (delete_in(["steps", 1, "rubric"]), "steps[1].rubric", "required"),
    (delete_in(["steps", 0, "method"]), "steps[0].method", "document, in_person, video"),
    (set_in(["steps", 0, "method"], "telepathy"), "steps[0].method", "use one of document"),
    (set_in(["steps", 1, "asessors"], 2), "steps[1].asessors", "did you mean 'assessors'"),
    (set_in(["colour"], "blue"), "colour", "Allowed here: key, title, steps"),
    (set_in(["steps", 1, "kind"], "essay"), "steps[1].kind", "Unknown step kind 'essay'"),
    (delete_in(["steps", 1, "kind"]), "steps[1].kind", "Every step needs a kind"),
    (set_in(["steps", 1], "portfolio"), "steps[1]", "A step is a mapping"),
    (delete_in(["steps", 3, "panel_size"]), "steps[3].panel_size", "needs panel_size"),
    (
        set_in(["steps", 3, "decided_by"], "decision_maker"),
        "steps[3].panel_size",
        "only to a panel",
    ),
    (set_in(["steps", 3, "panel_size"], 9), "steps[3].panel_size", "from 2 to 5"),
    (
        set_in(["steps", 1, "deadline"], {"days": 0, "escalate_to": "quality_officer"}),
        "steps[1].deadline.days",
        "from 1 to 365",
    ),
    (
        set_in(["steps", 1, "deadline"], {"days": 3, "escalate_to": "the boss"}),
        "steps[1].deadline.escalate_to",
        "assessor_pool, decision_maker, quality_officer, administrator",
    ),
    (set_in(["title"], {}), "title", "English (en), Polish (pl) or both"),
    (set_in(["steps"], {"a": 1}), "steps", "Use a list here"),
    (set_in(["steps", 0, 7], "seven"), "steps[0]", "7 is not a setting name"),
]


@pytest.mark.parametrize(("mutate", "path", "words"), CASES)
def test_it_refuses_with_the_path_and_what_to_do(mutate, path, words):
    data = base()
    mutate(data)
    errors = errors_of(data)
    assert path in errors, errors
    assert words in errors[path]
    assert "Input should" not in " ".join(errors.values())  # no raw pydantic English


@pytest.mark.parametrize(
    ("step", "path"),
    [
        ({"questions": 0}, "steps[1].questions"),
        ({"pass_mark_percent": 101}, "steps[1].pass_mark_percent"),
        ({"pass_mark_percent": 0}, "steps[1].pass_mark_percent"),
        ({"attempts": 0}, "steps[1].attempts"),
        ({"time_limit_minutes": 0}, "steps[1].time_limit_minutes"),
        ({"supervised": "maybe"}, "steps[1].supervised"),
        ({"question_bank": ""}, "steps[1].question_bank"),
    ],
)
def test_it_refuses_impossible_test_settings(step, path):
    data = base()
    test = {"id": "quiz", "kind": "test", "question_bank": "pm", "questions": 10}
    test["pass_mark_percent"] = 60
    test.update(step)
    data["steps"][1] = test
    data["steps"][2]["when"] = when("quiz", "score_percent", "lt", 50)
    assert path in errors_of(data)


def test_it_reports_every_error_at_once():
    data = base()
    data["steps"][1]["assessors"] = 7
    data["steps"][1]["pass_rule"]["outcome_min_score"] = 9
    data["steps"][2]["when"]["all_of"][0]["step"] = "nowhere"
    data["steps"][2]["when"]["all_of"].append("not a condition")
    errors = errors_of(data)
    assert set(errors) == {
        "steps[1].assessors",
        "steps[1].pass_rule.outcome_min_score",
        "steps[2].when.all_of[0].step",
        "steps[2].when.all_of[2]",
    }


def test_it_refuses_a_document_that_is_not_a_mapping():
    plan, errors = schema.validate_pipeline(["steps"])
    assert plan is None
    assert errors[0].path == ""
    assert "key, title and steps" in errors[0].message


def test_it_takes_a_plain_title_as_english():
    data = base()
    data["title"] = "Agile PM"
    plan, errors = schema.validate_pipeline(data)
    assert errors == []
    assert plan.title.en == "Agile PM"
    assert plan.title.pl is None


def test_it_refuses_a_divergence_condition_on_a_single_assessor():
    data = base()
    data["steps"][1]["assessors"] = 1
    del data["steps"][1]["moderation_divergence"]
    data["steps"][2]["when"] = when("portfolio", "divergence", "ge", 1)
    assert "single assessor" in errors_of(data)["steps[2].when.measure"]


def test_it_makes_the_model_itself_refuse_what_the_rules_refuse():
    data = base()
    data["steps"].reverse()
    with pytest.raises(ValueError, match="must be the last step"):
        schema.PipelinePlan.model_validate(data)


def test_it_skips_only_the_cross_step_rules_on_a_trusted_load():
    data = base()
    data["steps"][1]["pass_rule"]["outcome_min_score"] = 9
    assert schema.load_trusted(data).steps[1].pass_rule.outcome_min_score == 9
    data["steps"][1]["assessors"] = 9
    with pytest.raises(ValueError, match="assessors"):
        schema.load_trusted(data)


# -- parsing ---------------------------------------------------------------------------------


def test_it_names_the_line_of_a_yaml_syntax_error():
    plan, errors = schema.check_text("key: a\nsteps:\n  - id: x\n   kind: test\n")
    assert plan is None
    assert (errors[0].path, errors[0].line, errors[0].column) == ("", 4, 4)
    assert str(errors[0]).startswith("line 4, column 4: This is not valid YAML")


def test_it_names_the_line_of_a_json_syntax_error():
    plan, errors = schema.check_text('{\n  "key": "a",\n  "steps": [,]\n}', fmt="json")
    assert errors[0].line == 3
    assert "not valid JSON" in errors[0].message


def test_it_refuses_keys_given_twice():
    _plan, errors = schema.check_text("key: a\nkey: b\n")
    assert errors[0].line == 2
    assert "appears twice" in errors[0].message
    _plan, errors = schema.check_text('{"key": "a", "key": "b"}')
    assert "appears twice" in errors[0].message


def test_it_refuses_yaml_aliases():
    _plan, errors = schema.check_text("a: &x [1, 2]\nb: *x\n")
    assert "Aliases" in errors[0].message


def test_it_refuses_python_tags_instead_of_running_them():
    _plan, errors = schema.check_text("key: !!python/object/apply:os.system ['true']\n")
    assert "not valid YAML" in errors[0].message


def test_it_refuses_empty_and_oversized_text():
    assert "empty" in schema.check_text("  \n")[1][0].message
    assert "too long" in schema.check_text("#" * (schema.MAX_SOURCE_CHARS + 1))[1][0].message


def test_it_points_validation_errors_at_their_lines():
    text = schema.dump_yaml(base())
    text = text.replace("method: video", "method: fax")
    _plan, errors = schema.check_text(text)
    (error,) = errors
    assert error.path == "steps[0].method"
    assert text.splitlines()[error.line - 1].strip() == "method: fax"
    assert str(error).startswith("steps[0].method: 'fax' is not allowed here")
    assert str(error).endswith(f"(line {error.line})")


def test_it_normalises_and_round_trips():
    plan, _ = schema.validate_pipeline(base())
    data = schema.to_data(plan)
    assert list(data["steps"][1])[:2] == ["id", "kind"]
    assert data["steps"][1]["evidence_requests"] == 1  # the default is written out
    assert "when" not in data["steps"][1]
    for text in (schema.dump_yaml(data), schema.dump_json(data)):
        again, errors = schema.check_text(text)
        assert errors == []
        assert again == plan


@pytest.mark.parametrize(
    "text",
    [
        "key: " + "[" * 1200 + "]" * 1200,
        '{"key": ' + "[" * 1200 + "]" * 1200 + "}",
        "key: x\nsteps:\n  - when: " + '{"all_of": [' * 60 + "{}" + "]}" * 60,
    ],
    ids=["yaml", "json", "conditions"],
)
def test_it_refuses_absurd_nesting_without_crashing(text):
    plan, errors = schema.check_text(text)
    assert plan is None
    assert "levels deep" in errors[0].message
