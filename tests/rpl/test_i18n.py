import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _entries(po_text: str):
    """Yield (msgid, msgstrs, fuzzy) for each entry of a .po file, header excluded."""
    for block in po_text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*fuzzy", block, re.M) is not None
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0], re.M)
        )
        msgstrs = re.findall(r'^msgstr(?:\[\d+\])?\s+"(.*)"((?:\n".*")*)', block, re.M)
        values = [first + "".join(re.findall(r'"(.*)"', rest)) for first, rest in msgstrs]
        if msgid:
            yield msgid, values, fuzzy


SOURCES = [
    "config",
    "rpl",
    "credentials",
    "evidence",
    "assessments",
    "workflows",
    "quality",
    "api",
    "webhooks",
    "templates",
]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_it_has_a_complete_catalogue(tmp_path, settings, monkeypatch, language):
    """Extract every string from the code now, in a scratch copy, and check each is translated."""
    source = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    assert source.exists(), f"{source} is missing: run makemessages -l {language}"
    for name in SOURCES:
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    target = tmp_path / "locale" / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(source, target / "django.po")
    before = source.read_bytes()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=[language],
        symlinks=True,
        no_obsolete=True,
        verbosity=0,
    )
    text = (target / "django.po").read_text()
    assert "#: rpl/accounts/forms.py" in text  # extracted afresh from the code
    missing = [msgid for msgid, values, fuzzy in _entries(text) if fuzzy or not all(values)]
    assert missing == [], f"{len(missing)} untranslated {language} strings, e.g. {missing[:10]}"
    assert source.read_bytes() == before  # the project's catalogue is left alone


def test_it_serves_polish_to_a_polish_browser(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9,en;q=0.5")
    body = response.content.decode()
    assert '<html lang="pl">' in body
    assert "Zaloguj" in body


def test_it_switches_language_on_request(client, db):
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="pl">' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()
