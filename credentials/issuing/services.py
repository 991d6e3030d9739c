"""Issue, revoke, suspend and reinstate credentials. Every change is audited and the learner is
told by e-mail (after the transaction commits, so a rolled-back change sends nothing).

Public API::

    issue_credential(*, learner, specification, recognised_outcomes=None, supervision=None,
                     decided_at=None, actor=None, grade=None, audit_context=None)
        -> IssuedCredential
    revoke(credential, *, actor, reason) -> IssuedCredential     # final
    suspend(credential, *, actor, reason) -> IssuedCredential    # reversible
    reinstate(credential, *, actor, reason) -> IssuedCredential  # lifts a suspension

The engine keeps which case issued a credential (``workflows.models.Case.credential``), so that a
case issues at most one, also under retries and concurrent requests.
"""

import calendar
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists
from credentials.issuing.models import IssuedCredential
from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.lib import data_integrity, vc_jwt

logger = logging.getLogger(__name__)


class IssuingError(Exception):
    """The credential cannot be issued; the message says why (for staff and logs)."""


class StatusChangeError(Exception):
    """A status change that is not allowed, with a message for the person who asked."""


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _notify(credential: IssuedCredential, subject, body, **values) -> None:
    """E-mail the learner, in their language, once the transaction commits. ``subject`` and
    ``body`` are lazy translations, formatted with the credential's title and address and
    ``values``."""

    def compose(reader):
        context = {
            "title": credential.specification.title,
            "url": issuing.credential_url(credential.public_id),
            **values,
        }
        return str(subject) % context, str(body) % context

    tell([credential.learner], compose)


def issue_credential(
    *,
    learner,
    specification,
    recognised_outcomes=None,
    supervision=None,
    decided_at: datetime | None = None,
    actor=None,
    grade: str | None = None,
    audit_context: Mapping[str, Any] | None = None,
) -> IssuedCredential:
    """Sign and store the credential for ``learner``; see the module docstring.
    ``audit_context`` (for example the case that decided it) is added to the audit event."""
    with transaction.atomic():
        return _issue(
            learner=learner,
            specification=specification,
            recognised_outcomes=recognised_outcomes,
            supervision=supervision,
            decided_at=decided_at,
            actor=actor,
            grade=grade,
            audit_context=audit_context or {},
        )


def _issue(
    *,
    learner,
    specification,
    recognised_outcomes,
    supervision,
    decided_at,
    actor,
    grade,
    audit_context,
) -> IssuedCredential:
    organisation = specification.awarding_body
    if organisation is None:
        raise IssuingError(
            f"specification {specification.slug!r} has no awarding body to issue the credential"
        )
    outcomes = list(specification.outcomes.order_by("position"))
    if recognised_outcomes:
        wanted = {str(pk) for pk in recognised_outcomes}
        recognised = [outcome for outcome in outcomes if str(outcome.pk) in wanted]
        if len(recognised) != len(wanted):
            raise IssuingError("recognised outcomes must be learning outcomes of the specification")
    else:
        recognised = outcomes
    supervision = str(supervision or specification.supervision or "").upper()
    if not supervision:
        supervision = "UNSUPERVISED_NO_ID"
    issued_at = (decided_at or timezone.now()).astimezone(UTC).replace(microsecond=0)
    valid_until = (
        _add_months(issued_at, specification.validity_months)
        if specification.validity_months
        else None
    )
    key = keys.ensure_key(organisation, actor=actor)
    status_list, status_index = status_lists.allocate(organisation)
    public_id = uuid.uuid4()
    unsigned = issuing.build_credential(
        public_id=public_id,
        learner=learner,
        specification=specification,
        organisation=organisation,
        outcomes=outcomes,
        recognised_outcomes=recognised,
        supervision=supervision,
        issued_at=issued_at,
        valid_until=valid_until,
        status_entry=status_lists.entry(status_list, status_index),
        grade=grade,
    )
    private_key = keys.decrypt_private_key(key)
    method = keys.verification_method(key)
    signed = data_integrity.sign(
        unsigned, private_key, method, timezone.now(), extra_contexts=issuing.extra_contexts()
    )
    token = vc_jwt.encode(unsigned, private_key, keys.jwt_key_id(key))
    credential = IssuedCredential.objects.create(
        public_id=public_id,
        learner=learner,
        specification=specification,
        organisation=organisation,
        key=key,
        document_json=json.dumps(signed, ensure_ascii=False, indent=2),
        jwt=token,
        recognised_outcomes=[str(outcome.pk) for outcome in recognised],
        supervision=supervision,
        status_list=status_list,
        status_index=status_index,
        issued_at=issued_at,
        valid_until=valid_until,
    )
    audit.record(
        actor=actor,
        action="credential.issued",
        target=credential,
        changes={
            "learner": learner.pk,
            "specification": specification.slug,
            "organisation": organisation.pk,
            **audit_context,
            "key": key.key_id,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    _notify(
        credential,
        gettext_lazy("Your micro-credential “%(title)s” has been issued"),
        gettext_lazy(
            "Congratulations! Your micro-credential “%(title)s” has been issued. "
            "You can download it and share it from your wallet; anyone can check it at %(url)s"
        ),
    )
    return credential


def _change(credential, *, actor, reason, action, state, allowed_from, subject, body):
    reason = (reason or "").strip()
    if not reason:
        raise StatusChangeError(_("Give a reason: the learner is told what it is."))
    with transaction.atomic():
        locked = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if locked.state not in allowed_from:
            raise StatusChangeError(
                _("This credential is %(state)s: that change is not possible.")
                % {"state": locked.get_state_display().lower()}
            )
        previous = locked.state
        status_lists.show(locked, state)
        locked.state = state
        locked.state_reason = reason
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_reason", "state_changed_at"])
        audit.record(
            actor=actor,
            action=action,
            target=locked,
            changes={"from": previous, "to": state, "reason": reason},
        )
        _notify(
            locked,
            subject,
            body,
            reason=reason,
        )
    return locked


def revoke(credential: IssuedCredential, *, actor, reason: str) -> IssuedCredential:
    """Revoke for good (nothing lifts it); a suspended credential can be revoked."""
    return _change(
        credential,
        actor=actor,
        reason=reason,
        action="credential.revoked",
        state=IssuedCredential.State.REVOKED,
        allowed_from={IssuedCredential.State.ACTIVE, IssuedCredential.State.SUSPENDED},
        subject=gettext_lazy("Your micro-credential “%(title)s” has been revoked"),
        body=gettext_lazy(
            "Your micro-credential “%(title)s” has been revoked and no longer verifies. "
            "Reason: %(reason)s\n\nDetails: %(url)s"
        ),
    )


def suspend(credential: IssuedCredential, *, actor, reason: str) -> IssuedCredential:
    """Suspend (reversible, for example during an appeal or an audit)."""
    return _change(
        credential,
        actor=actor,
        reason=reason,
        action="credential.suspended",
        state=IssuedCredential.State.SUSPENDED,
        allowed_from={IssuedCredential.State.ACTIVE},
        subject=gettext_lazy("Your micro-credential “%(title)s” has been suspended"),
        body=gettext_lazy(
            "Your micro-credential “%(title)s” has been suspended: until it is reinstated it "
            "does not verify. Reason: %(reason)s\n\nDetails: %(url)s"
        ),
    )


def reinstate(credential: IssuedCredential, *, actor, reason: str) -> IssuedCredential:
    """Lift a suspension; a revoked credential cannot be reinstated."""
    return _change(
        credential,
        actor=actor,
        reason=reason,
        action="credential.reinstated",
        state=IssuedCredential.State.ACTIVE,
        allowed_from={IssuedCredential.State.SUSPENDED},
        subject=gettext_lazy("Your micro-credential “%(title)s” has been reinstated"),
        body=gettext_lazy(
            "Your micro-credential “%(title)s” has been reinstated and verifies again. "
            "Reason: %(reason)s\n\nDetails: %(url)s"
        ),
    )
