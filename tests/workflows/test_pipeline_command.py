"""`manage.py pipeline`: check, import, publish, export."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from workflows.models import PipelineVersion
from workflows.pipelines import schema, selectors

FILES = Path(__file__).resolve().parent / "files"
DEMO = Path(__file__).resolve().parents[2] / "workflows" / "demo" / "pipeline_files"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("pipeline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("pipeline", *args, stdout=out, stderr=err)
    return str(refused.value), err.getvalue()


@pytest.mark.parametrize(
    "path",
    [FILES / "valid.yaml", FILES / "valid.json", *sorted(DEMO.glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_it_prints_ok_for_a_valid_file(path):
    out, err = run("check", str(path))
    assert out == "OK\n"
    assert err == ""


def test_it_prints_every_error_with_its_path_and_fails():
    message, err = fail("check", str(FILES / "invalid.yaml"))
    lines = err.splitlines()
    assert lines == [
        "steps[1].assessors: 4 is out of range: use a whole number from 1 to 3. (line 9)",
        "steps[1].pass_rule.outcome_min_score: A pass score of 5 can never be reached on a rubric "
        "from 0 to 4: set it between 0 and 4. (line 11)",
        "steps[2].when.step: There is no step 'later': a condition may only use steps that come "
        "earlier (here: identity, portfolio). (line 16)",
    ]
    assert "3 errors" in message


@pytest.mark.parametrize(("name", "line"), [("broken.yaml", 6), ("broken.json", 4)])
def test_it_names_the_line_of_a_syntax_error(name, line):
    message, err = fail("check", str(FILES / name))
    assert err.startswith(f"line {line}, column")
    assert err.count(f"line {line}") == 1
    assert "1 error" in message


def test_it_reports_a_missing_file():
    message, _err = fail("check", str(FILES / "nowhere.yaml"))
    assert "no such file" in message


def test_it_exits_with_status_1_from_the_command_line():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "pipeline", "check", str(FILES / "invalid.yaml")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "steps[2].when.step: There is no step 'later'" in result.stderr


@pytest.mark.django_db
def test_it_imports_publishes_and_exports_a_round_trip(administrator, tmp_path):
    out, _ = run("import", str(FILES / "valid.yaml"), "--actor", administrator.email)
    assert out == "sample v1 (draft): created\n"
    out, _ = run("publish", "sample")
    assert out == "sample v1 published\n"

    exported, _ = run("export", "sample")
    assert yaml.safe_load(exported) == selectors.published_version("sample").definition
    copy = tmp_path / "sample.yaml"
    copy.write_text(exported, encoding="utf-8")
    assert run("check", str(copy))[0] == "OK\n"
    assert run("import", str(copy))[0] == "sample v1 (published): unchanged\n"

    exported_json, _ = run("export", "sample", "--format", "json")
    assert json.loads(exported_json) == yaml.safe_load(exported)
    plan, errors = schema.check_text(exported_json)
    assert errors == []
    assert plan == selectors.load_plan(selectors.published_version("sample"))


@pytest.mark.django_db
def test_it_exports_the_published_version_not_the_draft(administrator):
    run("import", str(FILES / "valid.yaml"))
    message, _ = fail("export", "sample")
    assert "no published version" in message
    run("publish", "sample")
    assert run("import", str(FILES / "changed.yaml"))[0] == "sample v2 (draft): created\n"
    assert "interview" in run("export", "sample")[0]
    assert "quiz" in run("export", "sample", "--number", "2")[0]
    message, _ = fail("export", "sample", "--number", "9")
    assert "no version 9" in message


@pytest.mark.django_db
def test_it_imports_nothing_from_an_invalid_file():
    message, err = fail("import", str(FILES / "invalid.yaml"))
    assert "nothing imported" in message
    assert "steps[2].when.step" in err
    assert not PipelineVersion.objects.exists()


@pytest.mark.django_db
def test_it_refuses_to_publish_without_a_draft():
    message, _ = fail("publish", "sample")
    assert "no pipeline 'sample'" in message
    run("import", str(FILES / "valid.yaml"))
    run("publish", "sample")
    message, _ = fail("publish", "sample")
    assert "no draft to publish" in message


@pytest.mark.django_db
def test_it_refuses_an_unknown_actor():
    message, _ = fail("import", str(FILES / "valid.yaml"), "--actor", "nobody@example.org")
    assert "No active user" in message


@pytest.mark.django_db
def test_it_installs_the_demo_pipelines():
    out, _ = run("demo")
    assert out.splitlines() == [
        "agile-pm v1 (published)",
        "python-basics v1 (published)",
        "welding-mig-mag v1 (published)",
    ]
