"""Where webhook events come from: the audit log. Every change that a webhook reports already
writes an audit event in its own transaction; a receiver of ``rpl.audit.signals.recorded`` turns the
actions listed in ``TRIGGERS`` into webhook events in that same transaction, so a change that is
rolled back sends nothing and a committed one is never lost.

To report another action, add one line to ``TRIGGERS`` (and a data builder in ``BUILDERS`` if its
audit target is a new kind of object).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from credentials.issuing import documents as issuing
from webhooks import payloads, services
from webhooks.models import EventType, Subscription


def _always(changes: dict) -> bool:
    return True


@dataclass(frozen=True)
class Trigger:
    event: EventType
    when: Callable[[dict], bool] = _always


TRIGGERS: dict[str, Trigger] = {
    "case.started": Trigger(EventType.CASE_SUBMITTED),
    "case.evidence_resubmitted": Trigger(EventType.CASE_SUBMITTED),
    "case.task_completed": Trigger(
        EventType.CASE_DECIDED,
        when=lambda changes: changes.get("task") == "decision" and not changes.get("panel_seat"),
    ),
    # A panel decides when its last member has voted (workflows.cases.services.settle_panel).
    "case.panel_decided": Trigger(EventType.CASE_DECIDED),
    # An appeal that overturns the decision decides the case again (workflows.appeals.services).
    "case.decision_overturned": Trigger(EventType.CASE_DECIDED),
    "credential.issued": Trigger(EventType.CREDENTIAL_ISSUED),
    "credential.revoked": Trigger(EventType.CREDENTIAL_REVOKED),
    "credential.suspended": Trigger(EventType.CREDENTIAL_SUSPENDED),
}


def _specification(specification) -> payloads.SpecificationRef:
    return payloads.SpecificationRef(
        slug=specification.slug,
        url=issuing.achievement_url(specification),
    )


def _case(case, event_type: EventType, changes: dict):
    organisation = case.specification.awarding_body
    if organisation is None:
        return None, None
    data = payloads.CaseData(
        id=case.pk,
        candidate=payloads.PersonRef(id=case.candidate_id),
        specification=_specification(case.specification),
        organisation=payloads.OrganisationRef(id=organisation.pk),
        round=changes.get("round", 1) if event_type == EventType.CASE_SUBMITTED else None,
        outcome=(case.outcome or None) if event_type == EventType.CASE_DECIDED else None,
    )
    return organisation, data


def _credential(credential, event_type: EventType, changes: dict):
    data = payloads.CredentialData(
        id=credential.public_id,
        url=issuing.credential_url(credential.public_id),
        state=credential.state,
        learner=payloads.PersonRef(id=credential.learner_id),
        specification=_specification(credential.specification),
        organisation=payloads.OrganisationRef(id=credential.organisation_id),
        # the case is linked once issuing commits; its audit event names it already
        case=changes.get("case") or getattr(getattr(credential, "case", None), "pk", None),
        issued_at=credential.issued_at,
        valid_until=credential.valid_until,
    )
    return credential.organisation, data


# The audit target's model (``target_type``) -> (organisation, data) for the payload.
BUILDERS = {
    "workflows.case": _case,
    "credentials.issuedcredential": _credential,
}


def on_audit_event(sender, event, **kwargs) -> None:
    trigger = TRIGGERS.get(event.action)
    if trigger is None or not trigger.when(event.changes):
        return
    builder = BUILDERS.get(event.target_type)
    if builder is None or not Subscription.objects.filter(is_active=True).exists():
        return
    model = apps.get_model(event.target_type)
    target = model.objects.filter(pk=event.target_id).first()
    if target is None:
        return
    organisation, data = builder(target, trigger.event, event.changes)
    if organisation is not None:
        services.publish(
            event_type=trigger.event, organisation=organisation, data=data, audit_event=event
        )
