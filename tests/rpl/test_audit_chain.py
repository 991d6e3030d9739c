"""The keyed audit chain and its signed checkpoints: what someone with write access to the
database (but not the key, nor the checkpoint file) can no longer do unseen."""

import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from rpl.accounts.roles import Role
from rpl.audit import checkpoints, checks, jobs, keys
from rpl.audit import services as audit
from rpl.audit.models import AuditEvent, ChainHead, Scheme
from rpl.audit.selectors import verify, verify_chain
from rpl.lib import hashchain
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.log"
    return settings.AUDIT_CHECKPOINT_FILE


def _tamper(sql, params=()):
    """Change the table behind the application's back, as a database superuser could."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _record(n):
    for i in range(n):
        audit.record(actor=None, action="test.step", changes={"n": i})
    return list(AuditEvent.objects.order_by("sequence"))


def _rewrite(events, start, edit=None, scheme=None):
    """What someone with the database but without the key can do: edit the event at ``start``,
    then recompute every hash from there on with the plain SHA-256 function and move the head,
    so that every link still points at the one before."""
    prev = events[start - 2].hash if start > 1 else hashchain.GENESIS
    for event in events[start - 1 :]:
        if edit and event.sequence == start:
            for name, value in edit.items():
                setattr(event, name, value)
        digest = hashchain.link_hash(event.chain_content(), prev)
        _tamper(
            "UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s, scheme = %s "
            "WHERE sequence = %s",
            [event.action, prev, digest, scheme or event.scheme, event.sequence],
        )
        prev = digest
    ChainHead.objects.filter(id=1).update(sequence=events[-1].sequence, hash=prev)


def _plain_event(sequence, prev_hash, action):
    """An event as the code before the chain was keyed wrote it (plain SHA-256)."""
    event = AuditEvent(
        sequence=sequence,
        created_at=timezone.now(),
        action=action,
        changes={"old": True},
        prev_hash=prev_hash,
        scheme=Scheme.SHA256,
    )
    event.hash = hashchain.link_hash(event.chain_content(), prev_hash)
    event.save()
    ChainHead.objects.update_or_create(
        id=1, defaults={"sequence": event.sequence, "hash": event.hash}
    )
    return event


def _run(*argv):
    """Run ``manage.py`` in this process (same test database): its exit code and what it said
    (``run_from_argv`` exits with a CommandError's ``returncode``)."""
    try:
        call_command(*argv)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, ""


def test_it_keys_every_new_event_with_the_chain_key():
    event = _record(1)[0]
    assert event.scheme == Scheme.HMAC_SHA256
    assert event.hash == keys.keyed_link_hash(event.chain_content(), event.prev_hash)
    assert event.hash != hashchain.link_hash(event.chain_content(), event.prev_hash)
    assert event.hash_matches()
    assert verify_chain() is None


def test_it_catches_a_cut_tail_with_a_rewound_head_against_a_checkpoint(checkpoint_file):
    events = _record(5)
    call_command("audit", "checkpoint")
    last = events[-1]
    _tamper("DELETE FROM audit_auditevent WHERE sequence > 3")
    ChainHead.objects.filter(id=1).update(sequence=3, hash=events[2].hash)

    # The chain alone looks whole: only the checkpoint outside the database shows the cut.
    assert verify(checkpoint_file.parent / "no-such-file").intact
    message = (
        f"checkpoint line 1 (.*) names event #5 with hash {last.hash}, but the chain now ends "
        "at event #3: events #4 to #5 are missing"
    )
    with pytest.raises(CommandError, match=message) as caught:
        call_command("audit", "verify")
    assert caught.value.returncode == 1
    broken = verify_chain()
    assert broken.label == "#5" and re.search(message, broken.reason)


def test_it_catches_a_chain_rehashed_without_the_key(checkpoint_file):
    events = _record(5)
    call_command("audit", "checkpoint")
    _rewrite(events, 3, edit={"action": "test.forged"})

    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    message = str(caught.value)
    first = message.splitlines()[0]
    assert re.match(
        r"Audit chain broken at event #3 \(id \d+, test.forged\): its content does not match "
        r"its keyed hash \(HMAC with AUDIT_CHAIN_KEY\): altered, or re-hashed without the key",
        first,
    )
    assert "checkpoint line 1" in message and "the chain was rewritten" in message
    assert verify_chain().label.startswith("#3 ")


def test_it_catches_a_rehash_that_falls_back_to_the_plain_scheme():
    events = _record(4)
    _rewrite(events, 2, edit={"action": "test.forged"}, scheme=Scheme.SHA256)
    with pytest.raises(CommandError, match=r"event #2 .*plain SHA-256 hash after keyed events"):
        call_command("audit", "verify")


def test_it_catches_a_whole_chain_rewritten_as_plain_against_a_checkpoint():
    events = _record(4)
    call_command("audit", "checkpoint")
    _rewrite(events, 1, edit={"action": "test.forged"}, scheme=Scheme.SHA256)
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    message = str(caught.value)
    assert f"names event #4 with hash {events[-1].hash}, but the event now has hash" in message
    assert "says every event from #1 on is keyed, but this one carries a plain" in message


def test_it_still_verifies_events_written_before_the_chain_was_keyed():
    old = _plain_event(1, hashchain.GENESIS, "old.one")
    _plain_event(2, old.hash, "old.two")
    _record(2)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.scheme for e in events] == [Scheme.SHA256] * 2 + [Scheme.HMAC_SHA256] * 2
    assert events[2].prev_hash == events[1].hash
    assert verify_chain() is None
    call_command("audit", "checkpoint")
    assert verify().intact

    _tamper("UPDATE audit_auditevent SET action = 'old.forged' WHERE sequence = 1")
    with pytest.raises(CommandError, match=r"event #1 .*does not match its hash: altered"):
        call_command("audit", "verify")


def test_it_reports_a_checkpoint_line_that_was_altered(checkpoint_file):
    events = _record(3)
    audit.checkpoint()
    line = checkpoint_file.read_text().strip()
    # Someone moves the checkpoint back to event #2 to hide a cut tail.
    forged = line.replace("sequence=3 ", "sequence=2 ").replace(events[2].hash, events[1].hash)
    checkpoint_file.write_text(forged + "\n")
    with pytest.raises(
        CommandError, match=r"signature of checkpoint line 1 \(.*\) does not verify: the line "
    ):
        call_command("audit", "verify")


def test_it_reports_a_checkpoint_signed_with_another_key_and_an_unreadable_line(
    settings, checkpoint_file
):
    _record(2)
    settings.AUDIT_CHAIN_KEY = "another key held by someone else"
    audit.checkpoint()
    settings.AUDIT_CHAIN_KEY = ""
    with checkpoint_file.open("a") as fh:
        fh.write("sequence=2 hash=whatever\n")
    first, second = verify().problems
    assert re.match(r"checkpoint line 1 \(.*\) was signed with another key", first.reason)
    assert second.reason.startswith("checkpoint line 2 cannot be read")


def test_it_fails_every_keyed_event_when_the_key_changes(settings):
    _record(2)
    settings.AUDIT_CHAIN_KEY = "not the key the events were written with"
    assert verify_chain().label.startswith("#1 ")


def test_it_appends_signed_checkpoints_to_the_file(checkpoint_file):
    events = _record(2)
    first = audit.checkpoint()
    audit.record(actor=None, action="test.more")
    second = audit.checkpoint()
    lines = checkpoint_file.read_text().splitlines()
    assert lines == [first.checkpoint.line, second.checkpoint.line]
    assert f"sequence=2 hash={events[1].hash} keyed-from=1 " in lines[0]
    assert lines[1].startswith("rpl-audit-checkpoint/1 sequence=3 ")
    assert oct(checkpoint_file.stat().st_mode & 0o777) == "0o600"
    assert all(checkpoints.parse(line)[1] for line in lines)


def test_it_exits_with_codes_that_say_what_verify_found(checkpoint_file, capsys):
    _record(2)
    assert _run("audit", "verify") == (0, "")
    assert "No checkpoint file at" in capsys.readouterr().out

    assert _run("audit", "checkpoint") == (0, "")
    assert "Appended to" in capsys.readouterr().out
    assert _run("audit", "verify") == (0, "")
    assert "1 checkpoints in" in capsys.readouterr().out

    code, said = _run("audit", "verify", "--checkpoints", str(checkpoint_file) + ".x")
    assert code == 2 and said.startswith("No checkpoint file at")

    _tamper("DELETE FROM audit_auditevent WHERE sequence = 2")
    ChainHead.objects.filter(id=1).update(sequence=1, hash=AuditEvent.objects.get().hash)
    code, said = _run("audit", "verify")
    assert code == 1 and "events #2 to #2 are missing" in said
    # A checkpoint is still written when the log does not verify, and says so.
    code, said = _run("audit", "checkpoint")
    assert code == 1 and said.startswith("Audit chain broken")
    assert len(checkpoint_file.read_text().splitlines()) == 2


def test_it_emails_the_checkpoint_to_the_active_quality_officers(
    quality_officer, assessor, mailoutbox, django_capture_on_commit_callbacks, checkpoint_file
):
    away = make_user(Role.QUALITY_OFFICER, email="gone@example.org")
    away.is_active = False
    away.save()
    with django_capture_on_commit_callbacks(execute=True):
        written = audit.checkpoint()
    assert written.told == 1
    assert [m.to for m in mailoutbox] == [[quality_officer.email]]
    mail = mailoutbox[0]
    sequence = AuditEvent.objects.order_by("-sequence").first().sequence
    assert mail.subject == f"Audit log checkpoint: event #{sequence}"
    assert checkpoint_file.read_text().strip() in mail.body
    assert "The audit log verifies" in mail.body


def test_it_warns_the_quality_officers_when_the_log_does_not_verify(
    quality_officer, mailoutbox, django_capture_on_commit_callbacks
):
    _tamper("UPDATE audit_auditevent SET action = 'forged' WHERE sequence = 1")
    with django_capture_on_commit_callbacks(execute=True):
        audit.checkpoint()
    assert "Warning: the audit log does not verify" in mailoutbox[0].body
    assert "- Event #1 " in mailoutbox[0].body


def test_it_runs_the_checkpoint_daily_from_celery_beat(checkpoint_file):
    _record(1)
    entry = settings.CELERY_BEAT_SCHEDULE["write-audit-checkpoint"]
    assert entry["task"] == jobs.write_checkpoint.name and entry["schedule"] == 86400.0
    assert "rpl.audit.jobs" in settings.CELERY_IMPORTS
    assert jobs.write_checkpoint.delay().get() == 1
    assert checkpoint_file.read_text().startswith("rpl-audit-checkpoint/1 sequence=1 ")


def test_it_shows_a_failed_checkpoint_on_the_quality_officers_home(client, quality_officer):
    client.force_login(quality_officer)
    _record(2)
    audit.checkpoint()
    last = AuditEvent.objects.order_by("-sequence").first()
    _tamper("DELETE FROM audit_auditevent WHERE sequence = %s", [last.sequence])
    ChainHead.objects.filter(id=1).update(
        sequence=last.sequence - 1, hash=AuditEvent.objects.get(sequence=last.sequence - 1).hash
    )
    body = client.get("/home/quality_officer/").content.decode()
    assert "The audit chain is broken at event" in body
    assert f"names event #{last.sequence} with hash {last.hash}" in body


def test_it_warns_at_deploy_when_the_chain_key_is_not_set(settings):
    settings.AUDIT_CHAIN_KEY = ""
    assert [w.id for w in checks.audit_chain_key_is_set(None)] == ["audit.W001"]
    settings.AUDIT_CHAIN_KEY = "a long random value"
    assert checks.audit_chain_key_is_set(None) == []


def test_it_reports_a_checkpoint_file_it_cannot_read(settings, tmp_path):
    _record(1)
    settings.AUDIT_CHECKPOINT_FILE = tmp_path  # a folder: it exists but cannot be read as a file
    broken = verify_chain()
    assert broken.reason.startswith("the checkpoint file cannot be read")
