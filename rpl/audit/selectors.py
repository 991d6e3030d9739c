"""Reading and checking the audit log: the chain link by link, then the signed checkpoints."""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from rpl.audit import checkpoints as checkpoint_file
from rpl.audit import keys
from rpl.audit.models import AuditEvent, ChainHead, Scheme
from rpl.lib.hashchain import GENESIS, Break


def _label(event: AuditEvent) -> str:
    return f"#{event.sequence} (id {event.pk}, {event.action})"


def _walk() -> Break | None:
    """The first broken event of the chain, each checked under its own scheme; None when the
    chain is intact. A plain event after a keyed one is a break: nobody may fall back to the
    hash that needs no key."""
    expected_prev = GENESIS
    expected_seq = 1
    last: AuditEvent | None = None
    keyed_seen = False
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected_seq:
            return Break(
                expected_seq,
                f"#{expected_seq}",
                _("event #%(missing)s is missing: the chain jumps to #%(found)s")
                % {"missing": expected_seq, "found": event.sequence},
            )
        if event.prev_hash != expected_prev:
            return Break(
                event.sequence,
                _label(event),
                _(
                    "its link to the previous event is broken: an earlier event was deleted, "
                    "reordered or altered"
                ),
            )
        if event.scheme == Scheme.SHA256 and keyed_seen:
            return Break(
                event.sequence,
                _label(event),
                _(
                    "it carries a plain SHA-256 hash after keyed events: the chain was "
                    "rewritten without the key"
                ),
            )
        if event.scheme not in Scheme.values:
            return Break(
                event.sequence,
                _label(event),
                _("its hash scheme %(scheme)s is unknown: altered") % {"scheme": event.scheme},
            )
        if not event.hash_matches():
            if event.scheme == Scheme.HMAC_SHA256:
                reason = _(
                    "its content does not match its keyed hash (HMAC with AUDIT_CHAIN_KEY): "
                    "altered, or re-hashed without the key"
                )
            else:
                reason = _("its content does not match its hash: altered")
            return Break(event.sequence, _label(event), reason)
        keyed_seen = keyed_seen or event.scheme == Scheme.HMAC_SHA256
        expected_prev = event.hash
        expected_seq += 1
        last = event
    head = ChainHead.objects.filter(id=1).first()
    if head is not None:
        last_seq = last.sequence if last else 0
        if head.sequence > last_seq:
            return Break(
                last_seq + 1,
                f"#{last_seq + 1}",
                _("events #%(first)s to #%(last)s are missing from the end of the chain")
                % {"first": last_seq + 1, "last": head.sequence},
            )
        if last is not None and head.hash != last.hash:
            return Break(
                last.sequence, _label(last), _("it does not match the recorded chain head")
            )
    return None


def _checkpoint_problems(entries: list[checkpoint_file.Entry]) -> list[Break]:
    """Each checkpoint line that cannot be read, is not signed with the current key, or names
    an event the chain no longer holds as it was."""
    problems = []
    valid = []
    for entry in entries:
        point = entry.checkpoint
        if point is None:
            problems.append(
                Break(
                    0,
                    "—",
                    _("checkpoint line %(line)s cannot be read: the file was altered")
                    % {"line": entry.number},
                )
            )
        elif not entry.signed:
            words = {"line": entry.number, "time": point.at}
            if point.key != keys.fingerprint():
                reason = _(
                    "checkpoint line %(line)s (%(time)s) was signed with another key: was "
                    "AUDIT_CHAIN_KEY changed, or the line forged?"
                )
            else:
                reason = _(
                    "the signature of checkpoint line %(line)s (%(time)s) does not verify: the "
                    "line was altered"
                )
            problems.append(Break(point.sequence, f"#{point.sequence}", reason % words))
        else:
            valid.append((entry, point))
    if not valid:
        return problems

    stored = dict(
        AuditEvent.objects.filter(sequence__in={p.sequence for _e, p in valid}).values_list(
            "sequence", "hash"
        )
    )
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    last = last or 0
    for entry, point in valid:
        if point.sequence == 0:
            continue
        words = {
            "line": entry.number,
            "time": point.at,
            "sequence": point.sequence,
            "hash": point.hash,
            "last": last,
            "first_missing": last + 1,
        }
        if point.sequence not in stored:
            if point.sequence > last:
                reason = _(
                    "checkpoint line %(line)s (%(time)s) names event #%(sequence)s with hash "
                    "%(hash)s, but the chain now ends at event #%(last)s: events "
                    "#%(first_missing)s to #%(sequence)s are missing"
                )
            else:
                reason = _(
                    "checkpoint line %(line)s (%(time)s) names event #%(sequence)s with hash "
                    "%(hash)s, but that event is missing"
                )
            problems.append(Break(point.sequence, f"#{point.sequence}", reason % words))
        elif stored[point.sequence] != point.hash:
            words["now"] = stored[point.sequence]
            problems.append(
                Break(
                    point.sequence,
                    f"#{point.sequence}",
                    _(
                        "checkpoint line %(line)s (%(time)s) names event #%(sequence)s with "
                        "hash %(hash)s, but the event now has hash %(now)s: the chain was "
                        "rewritten"
                    )
                    % words,
                )
            )

    entry, point = min(valid, key=lambda pair: pair[1].keyed_from)
    plain = (
        AuditEvent.objects.filter(sequence__gte=point.keyed_from, scheme=Scheme.SHA256)
        .order_by("sequence")
        .first()
    )
    if plain is not None:
        problems.append(
            Break(
                plain.sequence,
                _label(plain),
                _(
                    "checkpoint line %(line)s (%(time)s) says every event from #%(keyed_from)s "
                    "on is keyed, but this one carries a plain SHA-256 hash: the chain was "
                    "rewritten without the key"
                )
                % {"line": entry.number, "time": point.at, "keyed_from": point.keyed_from},
            )
        )
    return problems


@dataclass
class Verification:
    """What ``verify`` found: every problem, first the chain's first break (if any), then the
    checkpoints'; how many checkpoint lines were read, and from which file (None: none)."""

    problems: list[Break] = field(default_factory=list)
    checkpoints: int = 0
    checkpoint_path: Path | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(checkpoint_path: Path | str | None = None) -> Verification:
    """Check the chain, then every line of the checkpoint file (``AUDIT_CHECKPOINT_FILE`` when
    not given; no file yet: only the chain)."""
    path = Path(checkpoint_path) if checkpoint_path else checkpoint_file.default_path()
    result = Verification()
    broken = _walk()
    if broken is not None:
        result.problems.append(broken)
    if path.exists():
        result.checkpoint_path = path
        try:
            entries = checkpoint_file.read(path)
        except OSError as error:
            result.problems.append(
                Break(
                    0,
                    "—",
                    _("the checkpoint file cannot be read: %(error)s")
                    % {"error": error.strerror or error},
                )
            )
            return result
        result.checkpoints = len(entries)
        result.problems.extend(_checkpoint_problems(entries))
    return result


def verify_chain(checkpoint_path: Path | str | None = None) -> Break | None:
    """Return the first problem (a broken event, or a checkpoint the chain no longer matches),
    or None when the chain is intact."""
    problems = verify(checkpoint_path).problems
    return problems[0] if problems else None


def recent_events(limit: int = 20):
    return AuditEvent.objects.select_related("actor").order_by("-sequence")[:limit]
