"""Hypothesis strategies: valid pipelines, and one-mistake mutations naming their error path."""

import string

from hypothesis import assume
from hypothesis import strategies as st

from workflows.pipelines import schema

_WORD = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8)
SLUGS = st.one_of(_WORD, st.builds(lambda a, b: f"{a}-{b}", _WORD, _WORD))
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=30
)
NOT_DECISION = [kind for kind in schema.StepKind if kind != schema.StepKind.DECISION]
SCORED = ("evidence_review", "interview", "observation")


def titles():
    return st.one_of(
        st.builds(lambda en: {"en": en}, TEXT),
        st.builds(lambda pl: {"pl": pl}, TEXT),
        st.builds(lambda en, pl: {"en": en, "pl": pl}, TEXT, TEXT),
    )


@st.composite
def rubrics(draw):
    low = draw(st.integers(0, 5))
    return {"min": low, "max": draw(st.integers(low + 1, low + 10))}


@st.composite
def scored_settings(draw, kind):
    rubric = draw(rubrics())
    low, high = rubric["min"], rubric["max"]
    halves = st.integers(low * 2, high * 2).map(lambda n: n / 2)
    rule = {"outcome_min_score": draw(halves)}
    if draw(st.booleans()):
        rule["min_outcomes_passed_ratio"] = draw(st.sampled_from([0.25, 0.5, 0.8, 1]))
    if draw(st.booleans()):
        rule["min_score_mean"] = draw(halves)
    settings = {"assessors": draw(st.integers(1, 3)), "rubric": rubric, "pass_rule": rule}
    if kind == "evidence_review":
        settings["blind"] = draw(st.booleans())
        settings["evidence_requests"] = draw(st.integers(0, 5))
        if settings["assessors"] > 1 and draw(st.booleans()):
            settings["moderation_divergence"] = draw(
                st.integers(1, (high - low) * 2).map(lambda n: n / 2)
            )
    return settings


@st.composite
def knowledge_test_settings(draw):
    settings = {
        "question_bank": draw(SLUGS),
        "questions": draw(st.integers(1, 200)),
        "pass_mark_percent": draw(st.integers(1, 100)),
        "attempts": draw(st.integers(1, 5)),
        "supervised": draw(st.booleans()),
    }
    if draw(st.booleans()):
        settings["time_limit_minutes"] = draw(st.integers(1, 600))
    return settings


def settings_for(kind):
    if kind == "identity_check":
        return st.builds(
            lambda method: {"method": method}, st.sampled_from(list(schema.IdentityMethod))
        )
    if kind == "test":
        return knowledge_test_settings()
    return scored_settings(kind)


@st.composite
def decision_settings(draw):
    settings = {"partial_recognition": draw(st.booleans())}
    if draw(st.booleans()):
        settings.update(decided_by="panel", panel_size=draw(st.integers(2, 5)))
    return settings


def deadlines():
    return st.builds(
        lambda days, role: {"days": days, "escalate_to": role},
        st.integers(1, 365),
        st.sampled_from([role.value for role in schema.EscalateTo]),
    )


def _bounds(step, measure):
    if measure == "score_percent":
        return (0, 100)
    if measure == "outcomes_passed_ratio":
        return (0, 1)
    rubric = step["rubric"]
    if measure == "score_mean":
        return (rubric["min"], rubric["max"])
    return (0, rubric["max"] - rubric["min"])


@st.composite
def comparisons(draw, earlier):
    step = draw(st.sampled_from(earlier))
    measures = schema.step_measures(step["kind"])
    names = [m for m in measures if not (m == "divergence" and step.get("assessors", 1) < 2)]
    measure = draw(st.sampled_from(names))
    if measures[measure] == schema.MeasureType.BOOLEAN:
        operator = draw(st.sampled_from(["eq", "ne"]))
        value = draw(st.booleans())
    else:
        low, high = _bounds(step, measure)
        value = draw(st.integers(low * 4, high * 4).map(lambda n: n / 4))
        operators = ["eq", "ne", "lt", "le", "gt", "ge"]
        if value == low:
            operators.remove("lt")
        if value == high:
            operators.remove("gt")
        operator = draw(st.sampled_from(operators))
    return {"step": step["id"], "measure": measure, "operator": operator, "value": value}


@st.composite
def conditions(draw, earlier, depth=1):
    shape = draw(st.sampled_from(["comparison", "all_of", "any_of"]))
    if shape == "comparison" or depth > schema.MAX_CONDITION_DEPTH:
        return draw(comparisons(earlier))
    items = draw(st.lists(conditions(earlier, depth + 1), min_size=1, max_size=3))
    return {shape: items}


@st.composite
def valid_pipelines(draw):
    count = draw(st.integers(1, 6))
    kinds = draw(st.lists(st.sampled_from(NOT_DECISION), min_size=count, max_size=count))
    if not any(kind in schema.ASSESSMENT_KINDS for kind in kinds):
        kinds[draw(st.integers(0, count - 1))] = draw(
            st.sampled_from(sorted(schema.ASSESSMENT_KINDS))
        )
    ids = draw(st.lists(SLUGS, min_size=count + 1, max_size=count + 1, unique=True))
    steps = []
    for index, kind in enumerate(kinds):
        step = {"id": ids[index], "kind": kind.value if hasattr(kind, "value") else kind}
        if draw(st.booleans()):
            step["title"] = draw(titles())
        step.update(draw(settings_for(step["kind"])))
        if index and draw(st.booleans()):
            step["when"] = draw(conditions(steps))
        if draw(st.booleans()):
            step["deadline"] = draw(deadlines())
        steps.append(step)
    decision = {"id": ids[-1], "kind": "decision", **draw(decision_settings())}
    if draw(st.booleans()):
        decision["deadline"] = draw(deadlines())
    steps.append(decision)
    return {"key": draw(SLUGS), "title": draw(titles()), "steps": steps}


# -- mutations: each returns the expected error path, or None when it does not apply ---------


def _comparison_on(step, measure="passed", operator="eq", value=True):
    return {"step": step["id"], "measure": measure, "operator": operator, "value": value}


def duplicate_id(draw, data):
    steps = data["steps"]
    later = draw(st.integers(1, len(steps) - 1))
    steps[later]["id"] = steps[draw(st.integers(0, later - 1))]["id"]
    return f"steps[{later}].id"


def forward_reference(draw, data):
    steps = data["steps"]
    index = draw(st.integers(0, len(steps) - 2))
    target = steps[draw(st.integers(index + 1, len(steps) - 1))]
    steps[index]["when"] = _comparison_on(target)
    return f"steps[{index}].when.step"


def unknown_reference(draw, data):
    index = draw(st.integers(0, len(data["steps"]) - 2))
    data["steps"][index]["when"] = _comparison_on({"id": "No Such Step"})
    return f"steps[{index}].when.step"


def self_reference(draw, data):
    index = draw(st.integers(0, len(data["steps"]) - 2))
    data["steps"][index]["when"] = _comparison_on(data["steps"][index])
    return f"steps[{index}].when.step"


def _later_and_earlier(draw, data):
    steps = data["steps"]
    assume(len(steps) >= 3)
    index = draw(st.integers(1, len(steps) - 2))
    return index, steps[draw(st.integers(0, index - 1))]


def unknown_measure(draw, data):
    index, earlier = _later_and_earlier(draw, data)
    data["steps"][index]["when"] = _comparison_on(earlier, measure="happiness")
    return f"steps[{index}].when.measure"


def wrong_value_type(draw, data):
    index, earlier = _later_and_earlier(draw, data)
    measure = "verified" if earlier["kind"] == "identity_check" else "passed"
    value = draw(st.sampled_from([1, "yes", None, 0.5]))
    data["steps"][index]["when"] = _comparison_on(earlier, measure=measure, value=value)
    return f"steps[{index}].when.value"


def unknown_operator(draw, data):
    index, earlier = _later_and_earlier(draw, data)
    operator = draw(st.sampled_from(["==", "between", "LT", "contains"]))
    data["steps"][index]["when"] = _comparison_on(earlier, operator=operator)
    return f"steps[{index}].when.operator"


def nested_mistake(draw, data):
    index, earlier = _later_and_earlier(draw, data)
    group = draw(st.sampled_from(["all_of", "any_of"]))
    fine = [_comparison_on(earlier, measure=m) for m in schema.step_measures(earlier["kind"])]
    fine = [c for c in fine if c["measure"] in ("passed", "verified")]
    position = draw(st.integers(0, len(fine)))
    items = fine[:position] + [_comparison_on({"id": "No Such Step"})] + fine[position:]
    data["steps"][index]["when"] = {group: items}
    return f"steps[{index}].when.{group}[{position}].step"


def too_deep(draw, data):
    index, earlier = _later_and_earlier(draw, data)
    condition = _comparison_on(
        earlier, measure="passed" if earlier["kind"] != "identity_check" else "verified"
    )
    for group in ("all_of", "any_of", "all_of", "any_of"):
        condition = {group: [condition]}
    data["steps"][index]["when"] = condition
    return f"steps[{index}].when.any_of[0].all_of[0].any_of[0]"


def _step_of(draw, data, kinds):
    indexes = [i for i, step in enumerate(data["steps"]) if step["kind"] in kinds]
    assume(indexes)
    index = draw(st.sampled_from(indexes))
    return index, data["steps"][index]


def impossible_pass_score(draw, data):
    index, step = _step_of(draw, data, SCORED)
    name = draw(st.sampled_from(["outcome_min_score", "min_score_mean"]))
    step["pass_rule"][name] = step["rubric"]["max"] + draw(st.integers(1, 20)) / 2
    return f"steps[{index}].pass_rule.{name}"


def impossible_ratio(draw, data):
    index, step = _step_of(draw, data, SCORED)
    ratio = draw(st.sampled_from([0, -0.5, 1.01, 2, 100]))
    step["pass_rule"]["min_outcomes_passed_ratio"] = ratio
    return f"steps[{index}].pass_rule.min_outcomes_passed_ratio"


def impossible_assessors(draw, data):
    index, step = _step_of(draw, data, SCORED)
    step["assessors"] = draw(st.sampled_from([0, -1, 4, 10]))
    return f"steps[{index}].assessors"


def impossible_divergence(draw, data):
    index, step = _step_of(draw, data, ("evidence_review",))
    rubric = step["rubric"]
    step["assessors"] = draw(st.integers(2, 3))
    step["moderation_divergence"] = rubric["max"] - rubric["min"] + draw(st.integers(1, 10)) / 2
    return f"steps[{index}].moderation_divergence"


def impossible_test(draw, data):
    index, step = _step_of(draw, data, ("test",))
    name, value = draw(
        st.sampled_from(
            [
                ("pass_mark_percent", 100.5),
                ("pass_mark_percent", 250),
                ("pass_mark_percent", 0),
                ("questions", 0),
                ("questions", -3),
                ("attempts", 0),
            ]
        )
    )
    step[name] = value
    return f"steps[{index}].{name}"


def unknown_setting(draw, data):
    index = draw(st.integers(0, len(data["steps"]) - 1))
    name = "x_" + draw(SLUGS).replace("-", "_")
    data["steps"][index][name] = 1
    return f"steps[{index}].{name}"


def unknown_kind(draw, data):
    index = draw(st.integers(0, len(data["steps"]) - 1))
    data["steps"][index]["kind"] = draw(st.sampled_from(["essay", "quiz", "Decision", ""]))
    return f"steps[{index}].kind"


def bad_id(draw, data):
    index = draw(st.integers(0, len(data["steps"]) - 1))
    data["steps"][index]["id"] = draw(st.sampled_from(["Bad Id", "-x", "a--b", "", "ünï"]))
    return f"steps[{index}].id"


def no_decision(draw, data):
    data["steps"].pop()
    return "steps"


def decision_not_last(draw, data):
    steps = data["steps"]
    position = draw(st.integers(0, len(steps) - 2))
    steps.insert(position, steps.pop())
    return f"steps[{position}].kind"


def conditional_decision(draw, data):
    steps = data["steps"]
    steps[-1]["when"] = _comparison_on(
        steps[0], measure="passed" if steps[0]["kind"] != "identity_check" else "verified"
    )
    return f"steps[{len(steps) - 1}].when"


MUTATIONS = [
    duplicate_id,
    forward_reference,
    unknown_reference,
    self_reference,
    unknown_measure,
    wrong_value_type,
    unknown_operator,
    nested_mistake,
    too_deep,
    impossible_pass_score,
    impossible_ratio,
    impossible_assessors,
    impossible_divergence,
    impossible_test,
    unknown_setting,
    unknown_kind,
    bad_id,
    no_decision,
    decision_not_last,
    conditional_decision,
]
