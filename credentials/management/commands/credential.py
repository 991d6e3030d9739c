"""``credential verify FILE`` and ``credential export DIR``.

- ``verify FILE``: checks a credential file (JSON-LD with a Data Integrity proof, or a VC-JWT; ``-``
  reads standard input) and exits 0 only when the signature, the status and the dates all check
  out; otherwise it prints the reasons and exits 1 (2 when the file cannot be read).
- ``export DIR``: writes every issued credential as ``<id>.jsonld`` and ``<id>.jwt``, each
  issuer's DID document as ``issuers/<org>/did.json``, the status lists as
  ``status/<org>/<purpose>/<n>.json`` and the extension context into ``DIR`` (created if needed).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credentials.catalogue.models import Organisation
from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists, verification
from credentials.issuing.models import IssuedCredential, StatusList


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
        count = 0
        for credential in IssuedCredential.objects.order_by("pk").iterator():
            stem = directory / str(credential.public_id)
            stem.with_suffix(".jsonld").write_text(credential.document_json, encoding="utf-8")
            stem.with_suffix(".jwt").write_text(credential.jwt + "\n", encoding="ascii")
            count += 1
        issuers = 0
        for organisation in Organisation.objects.filter(issuer_keys__isnull=False).distinct():
            target = directory / "issuers" / str(organisation.pk)
            target.mkdir(parents=True, exist_ok=True)
            document = keys.did_document(organisation)
            (target / "did.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
            issuers += 1
        for status_list in StatusList.objects.all():
            target = directory / "status" / str(status_list.organisation_id) / status_list.purpose
            target.mkdir(parents=True, exist_ok=True)
            status_lists.published(status_list)
            (target / f"{status_list.number}.json").write_text(
                status_list.credential_json, encoding="utf-8"
            )
        (directory / issuing.EXTENSION_CONTEXT_FILE.name).write_text(
            json.dumps(issuing.extension_context(), indent=2), encoding="utf-8"
        )
        self.stdout.write(
            f"Exported {count} credentials and {issuers} issuer DID documents to {directory}."
        )
