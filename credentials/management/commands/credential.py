"""``credential verify FILE`` and ``credential export DIR``.

- ``verify FILE``: checks a credential file (JSON-LD with a Data Integrity proof, or a VC-JWT; ``-``
  reads standard input) and exits 0 only when the signature, the status and the dates all check
  out; otherwise it prints the reasons and exits 1 (2 when the file cannot be read).
- ``export DIR``: writes every issued credential as ``<id>.jsonld`` and ``<id>.jwt``, each
  issuer's DID document as ``issuers/<org>/did.json``, the status lists as
  ``status/<org>/<purpose>/<n>.json``, every JSON-LD context a credential may name as
  ``contexts/<n>.jsonld`` and ``manifest.json``, which lists them all with their SHA-256 and the
  id or URL each stands for, into ``DIR`` (created if needed): enough to verify every credential
  and status list with no network (``tests/interop/verify.mjs --export DIR``).
"""

import hashlib
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credentials.catalogue.models import Organisation
from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists, verification
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.lib.jsonld_loader import CONTEXTS_DIR, shipped_contexts


class Command(BaseCommand):
    help = "Verify a credential file, or export every issued credential and issuer DID document."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a credential file (exit 0 only if valid)")
        verify.add_argument("file", help="a .jsonld/.json or .jwt file, or - for standard input")
        export = sub.add_parser("export", help="write every issued credential into a directory")
        export.add_argument("directory")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            return self.verify(options["file"])
        return self.export(Path(options["directory"]))

    def verify(self, name: str) -> None:
        try:
            if name == "-":
                data = sys.stdin.buffer.read(verification.MAX_INPUT_BYTES + 1)
            else:
                with open(name, "rb") as handle:
                    data = handle.read(verification.MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror or exc}", returncode=2) from exc
        report = verification.verify_text(data)
        for check in report.checks:
            mark = "ok  " if check.ok else "FAIL"
            self.stdout.write(f"{mark} {check.name}: {check.message}")
        if not report.valid:
            raise CommandError("not valid: " + " ".join(report.reasons), returncode=1)
        self.stdout.write(self.style.SUCCESS("valid"))

    def export(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {directory}: {exc}", returncode=2) from exc
        manifest = export_folder(directory)
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        self.stdout.write(
            f"Exported {len(manifest['credentials'])} credentials, "
            f"{len(manifest['issuers'])} issuer DID documents and "
            f"{len(manifest['statusLists'])} status lists to {directory}."
        )


def _write(directory: Path, name: str, text: str) -> dict[str, str]:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return {"file": name, "sha256": hashlib.sha256(data).hexdigest()}


def export_folder(directory: Path) -> dict:
    """Write everything a verifier needs into ``directory``; the manifest that lists it."""
    credentials = []
    for credential in IssuedCredential.objects.order_by("pk").iterator():
        entry = _write(directory, f"{credential.public_id}.jsonld", credential.document_json)
        _write(directory, f"{credential.public_id}.jwt", credential.jwt + "\n")
        credentials.append({"id": credential.document["id"], **entry})
    issuers = []
    for organisation in Organisation.objects.filter(issuer_keys__isnull=False).distinct():
        document = keys.did_document(organisation)
        name = f"issuers/{organisation.pk}/did.json"
        issuers.append({"id": document["id"], **_write(directory, name, json.dumps(document))})
    lists = []
    for status_list in StatusList.objects.order_by("pk"):
        status_lists.published(status_list)
        name = (
            f"status/{status_list.organisation_id}/{status_list.purpose}/{status_list.number}.json"
        )
        entry = _write(directory, name, status_list.credential_json)
        lists.append({"url": status_lists.list_url(status_list), **entry})
    contexts = []
    documents = {**shipped_contexts(), **issuing.extra_contexts()}
    for number, (url, document) in enumerate(sorted(documents.items())):
        if url == issuing.EXTENSION_CONTEXT:
            raw = (CONTEXTS_DIR / issuing.PERMANENT_CONTEXT_FILE).read_text(encoding="utf-8")
        else:
            raw = json.dumps(document, indent=2)
        contexts.append({"url": url, **_write(directory, f"contexts/{number}.jsonld", raw)})
    return {
        "description": (
            "A self-contained export: each file's sha256, credentials by id, DID documents by "
            "DID, status list credentials and JSON-LD contexts by the URL that names them. "
            "Verify offline with tests/interop/verify.mjs --export DIR."
        ),
        "credentials": credentials,
        "issuers": issuers,
        "statusLists": lists,
        "contexts": contexts,
    }
