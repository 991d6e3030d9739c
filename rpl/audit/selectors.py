from rpl.audit.models import AuditEvent, ChainHead
from rpl.lib import hashchain


def _links():
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        yield hashchain.Link(
            sequence=event.sequence,
            content=event.chain_content(),
            prev_hash=event.prev_hash,
            hash=event.hash,
            label=f"#{event.sequence} (id {event.pk}, {event.action})",
        )


def verify_chain() -> hashchain.Break | None:
    """Return the first broken event, or None when the chain is intact."""
    head = ChainHead.objects.filter(id=1).first()
    return hashchain.first_break(
        _links(),
        head_sequence=head.sequence if head else None,
        head_hash=head.hash if head else None,
    )


def recent_events(limit: int = 20):
    return AuditEvent.objects.select_related("actor").order_by("-sequence")[:limit]
