"""Personal API tokens: created and shown once, stored only as a hash, listed and revoked by
their owner; the API refuses revoked, expired and unknown tokens."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from rpl.audit.models import AuditEvent
from tests.api.clients import ApiClient
from tests.factories.people import PERSONAS


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_any_logged_in_person_manage_tokens(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/tokens/").status_code == 200


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client, candidate):
    client.force_login(candidate)
    response = client.post(
        "/api/tokens/",
        {"name": "HR system", "scopes": ["cases:read"], "expires_in_days": "30"},
    )
    assert response.status_code == 200
    text = response.context["text"]
    assert text.startswith("rpl_") and text.encode() in response.content
    row = ApiToken.objects.get(user=candidate)
    assert row.secret_hash == hashlib.sha256(text.encode()).hexdigest()
    assert text not in str(ApiToken.objects.filter(pk=row.pk).values().get())
    assert row.scopes == ["cases:read"]
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert text.encode() not in client.get("/api/tokens/").content
    assert AuditEvent.objects.filter(action="api_token.created", target_id=str(row.pk)).exists()
    assert ApiClient(text).get("/api/v1/cases/").status_code == 200


def test_it_explains_what_is_missing_in_the_form(client, candidate):
    client.force_login(candidate)
    response = client.post("/api/tokens/", {"name": " ", "expires_in_days": "30"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert b'aria-describedby="form-errors"' in response.content
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_for_good(client, candidate):
    row, text = tokens.create_token(user=candidate, name="script", scopes=["cases:read"])
    client.force_login(candidate)
    response = client.post(f"/api/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(row.pk)).exists()
    assert ApiClient(text).get("/api/v1/cases/").status_code == 401


def test_it_lets_nobody_revoke_someone_elses_token(client, candidate, candidate2):
    row, _text = tokens.create_token(user=candidate, name="script", scopes=["cases:read"])
    client.force_login(candidate2)
    assert client.post(f"/api/tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_it_refuses_expired_forged_and_orphaned_tokens(candidate):
    row, text = tokens.create_token(user=candidate, name="old", scopes=["cases:read"])
    assert ApiClient(text).get("/api/v1/cases/").status_code == 200
    assert ApiClient(text[:-1] + "x").get("/api/v1/cases/").status_code == 401
    assert ApiClient("rpl_nothing_here").get("/api/v1/cases/").status_code == 401
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    assert ApiClient(text).get("/api/v1/cases/").status_code == 401
    ApiToken.objects.filter(pk=row.pk).update(expires_at=None)
    candidate.is_active = False
    candidate.save()
    assert ApiClient(text).get("/api/v1/cases/").status_code == 401


def test_it_records_when_a_token_was_last_used(candidate):
    row, text = tokens.create_token(user=candidate, name="script", scopes=["cases:read"])
    assert row.last_used_at is None
    ApiClient(text).get("/api/v1/cases/")
    row.refresh_from_db()
    assert row.last_used_at is not None
