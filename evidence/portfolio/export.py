"""Everything held about a candidate as one ZIP archive, streamed: the archive is written piece
by piece into a small buffer that is handed out as it fills, so neither the archive nor any
file is ever whole in memory.

``archive_chunks(user, extra: dict[str, object]) -> Iterator[bytes]``
    ``extra`` maps archive paths to JSON-serialisable data other apps add (the engine adds the
    cases); evidence adds the account, applications, self-assessments, items, testimonies,
    snapshots, the files themselves and the audit events the person caused or that concern them.
"""

import json
import zipfile
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder

from evidence.models import Application, EvidenceItem, Snapshot, WitnessRequest
from evidence.uploads import storage
from rpl.audit.models import AuditEvent


class _Pipe:
    """A write-only, non-seekable stream; ``take()`` returns what was written since last time."""

    def __init__(self):
        self.buffer = bytearray()
        self.position = 0

    def write(self, data):
        self.buffer += data
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def _json(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _account(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": [role.value for role in user.roles],
    }


def _application(application: Application) -> dict:
    items = EvidenceItem.objects.filter(application=application).prefetch_related("mapping")
    return {
        "id": application.pk,
        "specification": application.specification.slug,
        "status": application.status,
        "round": application.round,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "withdrawn_at": application.withdrawn_at,
        "withdrawal_reason": application.withdrawal_reason,
        "self_assessment": [
            {
                "outcome": sa.outcome_id,
                "confidence": sa.confidence,
                "narrative": sa.narrative,
                "updated_at": sa.updated_at,
            }
            for sa in application.self_assessments.all()
        ],
        "items": [
            {
                "id": item.pk,
                "round": item.round,
                "kind": item.kind,
                "title": item.title,
                "date": item.date,
                "context": item.context,
                "url": item.url,
                "statement": item.statement,
                "file_name": item.display_name,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
                "submitted": item.frozen,
                "outcomes": [m.outcome_id for m in item.mapping.all()],
                "archive_path": _file_path(application, item) if item.storage_name else None,
            }
            for item in items
        ],
        "witness_requests": [
            {
                "witness_name": r.witness_name,
                "witness_email": r.witness_email,
                "relation": r.relation,
                "relationship": r.relationship,
                "claim": r.claim,
                "status": r.status,
                "created_at": r.created_at,
                "expires_at": r.expires_at,
                "testimony": (
                    {
                        "full_name": r.testimony.full_name,
                        "position": r.testimony.position,
                        "relationship": r.testimony.relationship,
                        "confirmation": r.testimony.confirmation,
                        "statement": r.testimony.statement,
                        "declared_at": r.testimony.declared_at,
                        "created_at": r.testimony.created_at,
                    }
                    if hasattr(r, "testimony")
                    else None
                ),
            }
            for r in WitnessRequest.objects.filter(application=application).select_related(
                "testimony"
            )
        ],
        "snapshots": [
            {"round": s.round, "digest": s.digest, "created_at": s.created_at, "content": s.content}
            for s in Snapshot.objects.filter(application=application)
        ],
    }


def _file_path(application, item) -> str:
    return f"applications/{application.pk}/files/{item.pk}-{item.display_name}"


def _audit(user, applications) -> list[dict]:
    from django.db.models import Q

    targets = Q(target_type="evidence.application", target_id__in=[str(a.pk) for a in applications])
    events = AuditEvent.objects.filter(
        Q(actor=user) | Q(target_type="accounts.user", target_id=str(user.pk)) | targets
    ).order_by("sequence")
    return [
        {
            "time": e.created_at,
            "action": e.action,
            "target": f"{e.target_type}:{e.target_id}",
            "changes": e.changes,
        }
        for e in events.iterator()
    ]


def archive_chunks(user, extra: dict | None = None) -> Iterator[bytes]:
    pipe = _Pipe()
    applications = list(
        Application.objects.filter(candidate=user).select_related("specification").order_by("pk")
    )
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _json(_account(user)))
        yield pipe.take()
        for application in applications:
            archive.writestr(
                f"applications/{application.pk}/application.json", _json(_application(application))
            )
            yield pipe.take()
            files = EvidenceItem.objects.filter(application=application).exclude(storage_name="")
            for item in files:
                with (
                    storage.open_stored(item.storage_name) as source,
                    archive.open(_file_path(application, item), "w", force_zip64=True) as target,
                ):
                    while data := source.read(storage.CHUNK):
                        target.write(data)
                        if len(pipe.buffer) >= storage.CHUNK:
                            yield pipe.take()
                yield pipe.take()
        for path, data in (extra or {}).items():
            archive.writestr(path, _json(data))
            yield pipe.take()
        archive.writestr("audit_events.json", _json(_audit(user, applications)))
        yield pipe.take()
    yield pipe.take()
