"""Pipeline text that cannot be read is refused in words, and nothing typed is lost: files and
standard input strictly in UTF-8, text over the limit kept in the editor, a body too large for
the server answered with a page in the visitor's language."""

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from workflows.models import PipelineVersion
from workflows.pipelines import schema, services

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
VALID = (FILES / "valid.yaml").read_text(encoding="utf-8")  # its Polish title is on line 5
CP1250 = VALID.encode("cp1250")
POLISH_TITLE = "Przykładowa ścieżka"
NOT_UTF8 = (
    "“sample.yaml” is not saved as UTF-8: line 5 holds bytes in another encoding, which is not "
    "guessed. Save the file as UTF-8"
)
LIMIT_EN = "The text is too long: a pipeline has at most 100000 characters."
LIMIT_PL = "Tekst jest za długi: limit znaków dla ścieżki oceny wynosi 100000."
FIVE_MB = "# " + "x" * (5 * 1024 * 1024) + "\n"


def test_it_reads_windows_1250_as_what_it_is_not():
    """The finding: these bytes are no UTF-8, and read as Latin-1 they give a garbled title."""
    assert "ł" in VALID and POLISH_TITLE in VALID
    with pytest.raises(UnicodeDecodeError):
        CP1250.decode("utf-8")
    assert POLISH_TITLE not in CP1250.decode("latin-1")


# -- the editor page ----------------------------------------------------------------------


@pytest.fixture
def sample(administrator):
    services.import_text(actor=administrator, text=VALID)
    return services.publish(actor=administrator, key="sample")


def _file(content: bytes, name="sample.yaml"):
    return SimpleUploadedFile(name, content, content_type="application/yaml")


@pytest.mark.django_db
def test_it_refuses_a_windows_1250_file_and_keeps_what_was_typed(client, administrator, sample):
    client.force_login(administrator)
    typed = VALID.replace("Sample pipeline", "Typed by hand")
    response = client.post("/pipelines/sample/draft/", {"source": typed, "file": _file(CP1250)})
    assert response.status_code == 200
    body = response.content.decode()
    assert NOT_UTF8 in body
    assert "The file was not used and nothing was saved" in body
    assert 'id="id_file_error"' in body
    assert response.context["form"]["source"].value() == typed
    assert PipelineVersion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_it_saves_a_utf8_file_with_its_polish_title(client, administrator, bom):
    client.force_login(administrator)
    response = client.post(
        "/pipelines/new/", {"source": "", "file": _file(bom + VALID.encode("utf-8"))}
    )
    assert response.status_code == 302
    version = PipelineVersion.objects.get()
    assert version.definition["title"]["pl"] == POLISH_TITLE
    assert not version.source.startswith("\ufeff")


@pytest.mark.django_db
def test_it_puts_the_text_of_a_file_with_problems_in_the_editor(client, administrator, sample):
    client.force_login(administrator)
    broken = (FILES / "invalid.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/pipelines/sample/draft/",
        {"source": VALID, "file": _file(broken.encode("utf-8"), "invalid.yaml")},
    )
    assert "The pipeline has 3 problems; nothing was saved." in response.content.decode()
    assert response.context["form"]["source"].value() == broken


@pytest.mark.django_db
def test_it_refuses_a_file_over_the_limit(client, administrator, sample):
    client.force_login(administrator)
    big = ("# " + "ą" * schema.MAX_SOURCE_CHARS + "\n" + VALID).encode("utf-8")
    response = client.post("/pipelines/sample/draft/", {"source": VALID, "file": _file(big)})
    body = response.content.decode()
    assert "The file is too long: a pipeline has at most 100000 characters." in body
    assert response.context["form"]["source"].value() == VALID


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"), [("en", LIMIT_EN), ("pl", LIMIT_PL)], ids=["en", "pl"]
)
def test_it_keeps_a_text_over_the_limit_with_the_reason(
    client, administrator, sample, language, message
):
    client.force_login(administrator)
    long_text = VALID + "# " + "x" * schema.MAX_SOURCE_CHARS + "\n"
    response = client.post(
        "/pipelines/sample/draft/", {"source": long_text}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert response.context["form"]["source"].value() == long_text
    assert PipelineVersion.objects.count() == 1


@pytest.mark.django_db
def test_it_lets_the_editor_take_a_paste_of_any_length(client, administrator, sample):
    """A browser cuts a paste at the textarea's maxlength without a word: there is none."""
    client.force_login(administrator)
    body = client.get("/pipelines/sample/draft/").content.decode()
    assert "maxlength" not in body
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file"' in body


def _csrf_client(user, url):
    """A client that checks CSRF like a browser's request does: Django reads the form body in
    the CSRF middleware, before any view."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(url)
    return client, client.cookies["csrftoken"].value


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_it_answers_a_5_mb_paste_with_a_page_in_polish(administrator, sample, encoding):
    url = "/pipelines/sample/draft/"
    client, token = _csrf_client(administrator, url)
    data = {"csrfmiddlewaretoken": token, "source": FIVE_MB}
    if encoding == "multipart":
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="pl")
    else:
        response = client.post(
            url,
            urlencode(data),
            content_type="application/x-www-form-urlencoded",
            HTTP_ACCEPT_LANGUAGE="pl",
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert '<html lang="pl">' in body
    assert LIMIT_PL in body
    assert "Przejdź do swojej strony głównej" in body
    assert PipelineVersion.objects.count() == 1


@pytest.mark.django_db
def test_it_explains_the_limit_and_going_back_in_english(administrator, sample):
    url = "/pipelines/new/"
    client, token = _csrf_client(administrator, url)
    response = client.post(url, {"csrfmiddlewaretoken": token, "source": FIVE_MB})
    assert response.status_code == 400
    body = response.content.decode()
    assert "What you sent is too large" in body
    assert LIMIT_EN in body
    assert "this site accepts at most 2.5 MB of text in one form" in body
    assert "Go back with your browser's Back button" in body


@pytest.mark.django_db
def test_it_answers_a_body_too_large_elsewhere_without_the_pipeline_limit(administrator, sample):
    client, token = _csrf_client(administrator, "/pipelines/sample/draft/")
    response = client.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "next": FIVE_MB})
    assert response.status_code == 400
    body = response.content.decode()
    assert "What you sent is too large" in body
    assert "a pipeline has at most" not in body


def test_it_answers_another_bad_request_in_words(client):
    response = client.get("/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


# -- the command line ---------------------------------------------------------------------


def _run(args, stdin: bytes, **env):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "pipeline", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C", **env},
        check=False,
    )


@pytest.mark.parametrize(
    "env", [{}, {"PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}], ids=["c", "strict-ascii"]
)
def test_it_refuses_non_utf8_standard_input_under_the_c_locale(env):
    result = _run(["check", "-"], CP1250, **env)
    stderr = result.stderr.decode("utf-8", errors="backslashreplace")
    assert result.returncode == 1
    assert "The standard input is not UTF-8 text: line 5 holds bytes in another encoding" in stderr
    assert "Traceback" not in stderr
    assert result.stdout == b""


@pytest.mark.parametrize(
    "env", [{}, {"PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}], ids=["c", "strict-ascii"]
)
def test_it_reads_utf8_standard_input_under_the_c_locale(env):
    result = _run(["check", "-"], b"\xef\xbb\xbf" + VALID.encode("utf-8"), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"OK\n"


def test_it_refuses_a_non_utf8_file_to_check(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_bytes(CP1250)
    with pytest.raises(CommandError) as refused:
        call_command("pipeline", "check", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert f"“{path}” is not saved as UTF-8: line 5 holds bytes" in str(refused.value)


@pytest.mark.django_db
def test_it_imports_nothing_from_a_non_utf8_file(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_bytes(CP1250)
    with pytest.raises(CommandError) as refused:
        call_command("pipeline", "import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "Save the file as UTF-8" in str(refused.value)
    assert not PipelineVersion.objects.exists()
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    call_command("pipeline", "import", str(path), stdout=io.StringIO())
    assert PipelineVersion.objects.get().definition["title"]["pl"] == POLISH_TITLE


def test_it_reads_standard_input_given_as_text(monkeypatch):
    """A text stream set in place of standard input (as an embedding program does) works."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(VALID))
    out = io.StringIO()
    call_command("pipeline", "check", "-", stdout=out)
    assert out.getvalue() == "OK\n"
