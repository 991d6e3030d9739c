"""The only writer of the audit log."""

import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from rpl.audit.models import AuditEvent, ChainHead
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
    event.hash = hashchain.link_hash(event.chain_content(), event.prev_hash)
    event.save()
    ChainHead.objects.filter(id=1).update(sequence=event.sequence, hash=event.hash)
    return event
