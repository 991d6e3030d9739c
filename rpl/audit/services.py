"""The only writer of the audit log, and of its checkpoints."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import checkpoints, selectors
from rpl.audit.models import AuditEvent, ChainHead, Scheme
from rpl.lib import hashchain


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_repr": str(target)[:300],
    }


@transaction.atomic
def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction that makes the change."""
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"sequence": 0, "hash": hashchain.GENESIS}
    )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        sequence=head.sequence + 1,
        scheme=Scheme.HMAC_SHA256,
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_repr=actor.email if is_user else "",
        action=action,
        changes=changes or {},
        prev_hash=head.hash,
        **_target_fields(target),
    )
    # Round-trip the JSON so the hash covers exactly what the database will give back.
    event.changes = json.loads(hashchain.canonical(event.changes))
    event.hash = event.expected_hash()
    event.save()
    ChainHead.objects.filter(id=1).update(sequence=event.sequence, hash=event.hash)
    return event


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
