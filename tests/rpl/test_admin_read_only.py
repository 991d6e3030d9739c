"""The Django admin changes no case, task, appeal, issued credential, status list or audit event:
they change only through the services that record each change in the audit trail. A superuser
still reads them there."""

import pytest
from django.contrib import admin
from django.urls import reverse
from viewflow.workflow.models import Process, Task

from credentials.issuing.models import IssuedCredential, StatusList
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit.models import AuditEvent
from tests.factories import make_user
from tests.workflows.appeal_helpers import GROUNDS, decided_case, people
from workflows.appeals import services as appeals
from workflows.models import Appeal, Case

pytestmark = pytest.mark.django_db

READ_ONLY = [Case, Appeal, Process, Task, IssuedCredential, StatusList, AuditEvent]


@pytest.fixture
def superuser(db):
    user, _created = ensure_user(
        "super@example.org",
        full_name="Sam Super",
        roles=[Role.ADMINISTRATOR],
        password="correct-horse-battery-9",
        is_staff=True,
        is_superuser=True,
    )
    return user


@pytest.fixture
def rows(candidate, candidate2, assessor, decision_maker, identity_officer):
    """A case refused and appealed, and another recognised in full with its credential."""
    who = people(candidate, assessor, decision_maker, identity_officer)
    refused = decided_case(who, outcome="none")
    appeal = appeals.submit_appeal(refused, candidate=candidate, grounds=GROUNDS)
    who.candidate = candidate2
    recognised = decided_case(who, outcome="full")
    credential = IssuedCredential.objects.get(case=recognised)
    return {
        Case: refused,
        Appeal: appeal,
        Process: Process.objects.get(pk=refused.pk),
        Task: Task.objects.filter(process=refused).first(),
        IssuedCredential: credential,
        StatusList: credential.status_list,
        AuditEvent: AuditEvent.objects.order_by("sequence").last(),
    }


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_it_registers_every_one_of_them_read_only(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    for model in READ_ONLY:
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None)
            assert not inline.has_change_permission(request)
            assert not inline.has_delete_permission(request)


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_it_lets_a_superuser_read_but_refuses_every_change(client, superuser, rows, model):
    obj = rows[model]
    client.force_login(superuser)

    listing = client.get(_url(model, "changelist"))
    assert listing.status_code == 200
    assert client.get(_url(model, "change", obj.pk)).status_code == 200

    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "add"), {}).status_code == 403
    assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    # No bulk action either: "delete selected" from the list deletes nothing.
    client.post(
        _url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert model.objects.filter(pk=obj.pk).exists()


def test_it_keeps_the_admin_closed_to_staff_without_the_superuser_flag(client, rows):
    administrator = make_user(Role.ADMINISTRATOR, email="plain.admin@example.org")
    client.force_login(administrator)
    response = client.get(_url(Case, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
