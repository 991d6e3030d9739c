import os
import subprocess
import sys
from pathlib import Path

import pytest

from rpl.lib.env import ConfigError, env_bool, env_int, env_list, secret_key_file

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checklist_in_production(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "RPL_ENV": "production",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-7Qz",
            "AUDIT_CHAIN_KEY": "y" * 20 + "-production-audit-chain-key-kept-apart-9Kd",
            "ALLOWED_HOSTS": "rpl.example.org",
            "SITE_URL": "https://rpl.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "RPL_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = _manage(
        "check", env={"RPL_ENV": "production", "RPL_VAR_DIR": str(tmp_path), "SECRET_KEY": ""}
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_it_generates_a_development_secret_key_once(tmp_path):
    path = tmp_path / "sub" / "secret_key"
    first = secret_key_file(path)
    assert len(first) >= 50
    assert secret_key_file(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Off", False), ("no", False)]
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_it_names_a_bad_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG='maybe' is not a boolean"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ConfigError, match="not a whole number"):
        env_int("X_NUM", 1)


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def test_it_sends_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_it_requires_csrf_tokens(db, candidate):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": candidate.email, "password": "x"})
    assert response.status_code == 403
