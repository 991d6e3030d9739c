"""The PDF certificate (attachment and QR code) and the `credential` management command."""

import io
import json
import re
import zlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credentials.issuing import certificate, keys
from credentials.issuing import documents as issuing
from credentials.issuing import services as issuing_services
from rpl import pdf

pytestmark = pytest.mark.django_db


def _streams(pdf: bytes):
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        end = pdf.find(b"endstream", start)
        raw = pdf[start:end]
        try:
            yield zlib.decompress(raw)
        except zlib.error:
            yield raw


def test_it_attaches_the_signed_credential_and_a_qr_code_to_the_pdf(client, issued):
    client.force_login(issued.learner)
    response = client.get(f"/credentials/{issued.public_id}/download/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"/EmbeddedFile" in pdf
    streams = list(_streams(pdf))
    everything = pdf + b"".join(streams)
    name = certificate.attachment_name(issued)
    assert name.encode() in everything or name.encode("utf-16-be") in everything
    embedded = [s for s in streams if s.lstrip().startswith(b"{") and b"proof" in s]
    assert embedded and json.loads(embedded[0]) == issued.document
    html = certificate.render_html(issued)
    assert "MIKROPOŚWIADCZENIE" in html and "MICRO-CREDENTIAL" in html  # the badge, in each
    assert "Analiza danych" in html and "Data analysis" in html  # Polish and English
    assert "Efekt uczenia się 1" in html and "Learning outcome 1" in html
    assert "Rodzaj zapewniania jakości" in html or "Type of quality assurance" in html


def test_it_points_the_qr_code_at_the_verification_page(issued):
    html = certificate.render_html(issued)
    assert pdf.qr_data_uri(issuing.credential_url(issued.public_id)) in html
    assert pdf.qr_data_uri("https://example.org/other") not in html


def _verify(path):
    out = io.StringIO()
    try:
        call_command("credential", "verify", str(path), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_it_verifies_files_on_the_command_line(tmp_path, issued, quality_officer):
    good = tmp_path / "good.jsonld"
    good.write_text(issued.document_json, encoding="utf-8")
    jwt = tmp_path / "good.jwt"
    jwt.write_text(issued.jwt, encoding="ascii")
    forged = tmp_path / "forged.jsonld"
    forged.write_text(issued.document_json.replace("Data analysis", "Surgery"), encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\xff\xfe nonsense")
    assert _verify(good)[0] == 0
    assert _verify(jwt)[0] == 0
    code, output = _verify(forged)
    assert code == 1 and "signature" in output
    code, output = _verify(junk)
    assert code == 1 and "not valid" in output
    assert _verify(tmp_path / "missing.jsonld")[0] == 2
    issuing_services.revoke(issued, actor=quality_officer, reason="Fraud")
    code, output = _verify(good)
    assert code == 1 and "revoked" in output


def test_it_exports_credentials_and_did_documents(tmp_path, issued):
    call_command("credential", "export", str(tmp_path / "out"), stdout=io.StringIO())
    out = tmp_path / "out"
    assert (out / f"{issued.public_id}.jsonld").read_text() == issued.document_json
    assert (out / f"{issued.public_id}.jwt").read_text().strip() == issued.jwt
    did = json.loads((out / "issuers" / str(issued.organisation.pk) / "did.json").read_text())
    assert did == keys.did_document(issued.organisation)
    manifest = json.loads((out / "manifest.json").read_text())
    lists = manifest["statusLists"]
    assert lists and all((out / entry["file"]).exists() for entry in lists)
    assert issuing.extension_context_url() in {entry["url"] for entry in manifest["contexts"]}
