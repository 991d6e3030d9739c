"""The only writer of the audit log, and of its checkpoints."""

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import checkpoints, selectors
from rpl.audit.models import AuditEvent, ChainHead, Scheme
from rpl.audit.signals import recorded
from rpl.insert import insert_returning, stored
from rpl.lib import hashchain


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_repr": str(target)[:300],
    }


_pending = threading.local()


@contextmanager
def batch():
    """Write the events recorded inside this block together when it ends: one lock of the chain
    head, one insert and one update for the lot. Use it inside the transaction that makes the
    changes. An event recorded under a savepoint made inside the block is written at once (so
    that rolling the savepoint back takes it, and only it, away): it comes before the block's
    other events in the chain, which all commit together. Blocks nest: the outermost writes."""
    if getattr(_pending, "events", None) is not None:
        yield
        return
    _pending.events = []
    _pending.depth = len(transaction.get_connection().savepoint_ids)
    try:
        yield
        _write(_pending.events)
    finally:
        _pending.events = None


def _batching() -> bool:
    """Whether an event recorded now can wait for the end of the batch: a batch is open and no
    savepoint was made since it began."""
    if getattr(_pending, "events", None) is None:
        return False
    savepoints = transaction.get_connection().savepoint_ids
    return all(sid is None for sid in savepoints[_pending.depth :])


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction that makes the change.
    Inside ``batch()`` the event is written (and gets its sequence and hash) when it ends."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        scheme=Scheme.HMAC_SHA256,
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_repr=actor.email if is_user else "",
        action=action,
        # Round-trip the JSON so the hash covers exactly what the database will give back.
        changes=json.loads(hashchain.canonical(changes or {})),
        **_target_fields(target),
    )
    if _batching():
        _pending.events.append(event)
    else:
        _write([event])
    return event


def _write(events: list[AuditEvent]) -> None:
    """Link ``events`` to the chain head, in order, and store them."""
    if not events:
        return
    with transaction.atomic(savepoint=False):
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"sequence": 0, "hash": hashchain.GENESIS}
        )
        sequence, prev_hash = head.sequence, head.hash
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.prev_hash = prev_hash
            event.hash = prev_hash = event.expected_hash()
        if connection.vendor == "postgresql":
            _insert_moving_head(events, sequence, prev_hash)
        else:
            AuditEvent.objects.bulk_create(events)
            ChainHead.objects.filter(id=1).update(sequence=sequence, hash=prev_hash)
        for event in events:
            recorded.send(sender=AuditEvent, event=event)


def _insert_moving_head(events: list[AuditEvent], sequence: int, head_hash: str) -> None:
    """Insert ``events`` and move the chain head to (``sequence``, ``head_hash``) in one round
    trip (PostgreSQL runs an INSERT and an UPDATE as one statement); the events get their keys."""
    insert, params = insert_returning(AuditEvent, events)
    head = ChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS ({insert}), head AS (UPDATE {head} SET sequence = %s, hash = %s "  # noqa: S608 (names from the models, values bound)
            f"WHERE id = 1) SELECT * FROM new",
            [*params, sequence, head_hash],
        )
        stored(events, cursor.fetchall())


@dataclass(frozen=True)
class CheckpointWritten:
    checkpoint: checkpoints.Checkpoint
    path: Path
    problems: list  # what verification found right after writing it (empty: intact)
    told: int  # how many quality officers it was e-mailed to


def checkpoint(*, path: Path | str | None = None, now=None) -> CheckpointWritten:
    """Append a signed checkpoint of the chain head (the last event's sequence and hash) to the
    checkpoint file (``AUDIT_CHECKPOINT_FILE``) and e-mail it to the active quality officers,
    with what verifying the log finds. It is written even when the log does not verify: the
    earlier checkpoints keep showing what was there before."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, digest = last or (0, hashchain.GENESIS)
    keyed_from = (
        AuditEvent.objects.filter(scheme=Scheme.HMAC_SHA256)
        .order_by("sequence")
        .values_list("sequence", flat=True)
        .first()
    ) or sequence + 1
    point = checkpoints.make(sequence, digest, keyed_from, now or timezone.now())
    written = checkpoints.append(point, path)

    verdicts = {translation.get_language(): selectors.verify(written).problems}

    def compose(reader):
        language = translation.get_language()
        if language not in verdicts:
            verdicts[language] = selectors.verify(written).problems
        problems = verdicts[language]
        if problems:
            verdict = _("Warning: the audit log does not verify.\n\n%(problems)s") % {
                "problems": "\n".join(
                    _("- Event %(label)s: %(reason)s") % {"label": p.label, "reason": p.reason}
                    for p in problems
                )
            }
        else:
            verdict = _(
                "The audit log verifies: no event was altered, removed or reordered, and every "
                "earlier checkpoint matches."
            )
        subject = _("Audit log checkpoint: event #%(sequence)s") % {"sequence": point.sequence}
        body = _(
            "Hello,\n\nThis is the checkpoint of the audit log of %(site)s, signed with the "
            "institution's audit key. Keep this e-mail: if the log is ever cut short or "
            "rewritten, this line shows it (python manage.py audit verify).\n\n%(line)s\n\n"
            "%(verdict)s"
        ) % {"site": settings.SITE_NAME, "line": point.line, "verdict": verdict}
        return subject, body

    officers = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.QUALITY_OFFICER.value)
        .distinct()
        .order_by("pk")
    )
    tell(officers, compose)
    return CheckpointWritten(point, written, verdicts[translation.get_language()], len(officers))
