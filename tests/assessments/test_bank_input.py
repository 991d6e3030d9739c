"""Question-bank files are read strictly as UTF-8 (a byte order mark is fine), on the page and on
the command line; another encoding is refused in words, never guessed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from assessments.models import QuestionBank
from tests.factories.catalogue import PYTHON_BASICS, make_specification

pytestmark = pytest.mark.django_db

BANK = """\
bank: polish
title: {en: Polish bank, pl: Zażółć gęślą jaźń}
questions:
  - id: q-one
    kind: short
    text: {en: "Why?", pl: "Dlaczego?"}
    model_answer: Bo tak.
"""
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def spec():
    return make_specification(outcomes=5, **PYTHON_BASICS)


def test_it_refuses_a_windows_1250_file_on_the_page_and_keeps_the_choice(
    client, administrator, spec
):
    client.force_login(administrator)
    upload = SimpleUploadedFile("bank.yaml", BANK.encode("cp1250"))
    response = client.post("/tests/banks/import/", {"specification": spec.pk, "file": upload})
    assert response.status_code == 400
    assert "The file is not UTF-8 text: save it as UTF-8 and try again." in (
        response.content.decode()
    )
    assert response.context["form"]["specification"].value() == str(spec.pk)
    assert not QuestionBank.objects.exists()


def test_it_imports_a_utf8_file_with_a_byte_order_mark_on_the_page(client, administrator, spec):
    client.force_login(administrator)
    upload = SimpleUploadedFile("bank.yaml", BOM + BANK.encode("utf-8"))
    response = client.post("/tests/banks/import/", {"specification": spec.pk, "file": upload})
    assert response.status_code == 302
    assert QuestionBank.objects.get(slug="polish").title_pl == "Zażółć gęślą jaźń"


def test_it_refuses_a_windows_1250_file_on_the_command_line(spec, tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_bytes(BANK.encode("cp1250"))
    with pytest.raises(CommandError) as refused:
        call_command("question_bank", "import", str(path), "--specification", spec.slug)
    assert str(refused.value) == (
        f"{path} is not saved as UTF-8: line 2 holds bytes in another encoding, which is not "
        "guessed. Save the file as UTF-8 and try again."
    )
    assert not QuestionBank.objects.exists()


def test_it_imports_a_utf8_file_with_a_byte_order_mark_on_the_command_line(spec, tmp_path, capsys):
    path = tmp_path / "bank.yaml"
    path.write_bytes(BOM + BANK.encode("utf-8"))
    call_command("question_bank", "import", str(path), "--specification", spec.slug)
    assert "1 questions in use" in capsys.readouterr().out
    assert QuestionBank.objects.get(slug="polish").title_pl == "Zażółć gęślą jaźń"
