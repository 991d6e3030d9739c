import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from rpl.audit import services as audit
from rpl.audit.models import AppendOnlyError, AuditEvent
from rpl.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db


def _tamper(sql, params=()):
    """Change the table behind the application's back, as a database superuser could."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.fixture
def chain(candidate):
    # Creating the persona already wrote one event; add three more.
    for n in range(3):
        audit.record(actor=candidate, action="test.step", target=candidate, changes={"n": n})
    return list(AuditEvent.objects.order_by("sequence"))


def test_it_links_each_event_to_the_previous_one(chain):
    assert [e.sequence for e in chain] == [1, 2, 3, 4]
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    assert verify_chain() is None


def test_it_verifies_an_intact_chain(chain, capsys):
    call_command("audit", "verify")
    assert "4 audit events, chain intact" in capsys.readouterr().out


def test_it_names_an_altered_event(chain):
    _tamper("UPDATE audit_auditevent SET action = %s WHERE sequence = 3", ["test.forged"])
    with pytest.raises(CommandError, match=r"event #3 .*altered"):
        call_command("audit", "verify")


def test_it_names_an_event_whose_changes_were_altered(chain):
    _tamper("UPDATE audit_auditevent SET changes = %s WHERE sequence = 2", ['{"n": 99}'])
    with pytest.raises(CommandError, match=r"event #2 "):
        call_command("audit", "verify")


def test_it_names_a_deleted_event(chain):
    _tamper("DELETE FROM audit_auditevent WHERE sequence = 2")
    with pytest.raises(CommandError, match=r"#2 is missing"):
        call_command("audit", "verify")


def test_it_notices_events_deleted_from_the_end(chain):
    _tamper("DELETE FROM audit_auditevent WHERE sequence = 4")
    with pytest.raises(CommandError, match=r"#4 to #4 are missing from the end"):
        call_command("audit", "verify")


def test_it_names_reordered_events(chain):
    _tamper("UPDATE audit_auditevent SET sequence = 1000 WHERE sequence = 2")
    _tamper("UPDATE audit_auditevent SET sequence = 2 WHERE sequence = 3")
    _tamper("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 1000")
    with pytest.raises(CommandError, match=r"event #2 "):
        call_command("audit", "verify")


def test_it_refuses_changes_through_the_orm(chain):
    event = chain[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'x' WHERE sequence = 1",
        "DELETE FROM audit_auditevent WHERE sequence = 1",
    ],
)
def test_it_is_protected_by_the_database_on_postgresql(chain, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.filter(sequence=1).exclude(action="x").exists()


def test_it_records_logins(client, candidate):
    client.post(
        "/accounts/login/", {"username": candidate.email, "password": "correct-horse-battery-9"}
    )
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "user.logged_in"
    assert event.actor == candidate
