"""Reads on applications and evidence, a constant number of queries per call."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from credentials.catalogue.selectors import outcomes_of
from evidence.models import Application, EvidenceItem, ItemOutcome, Snapshot, WitnessRequest


def applications_of(candidate) -> list[Application]:
    return list(
        Application.objects.filter(candidate=candidate)
        .select_related("specification")
        .order_by("-created_at", "-pk")
    )


def application_of(candidate, pk) -> Application:
    """The candidate's own application, or ``Application.DoesNotExist`` (also for anyone
    else's: callers answer 404, so ids reveal nothing)."""
    return Application.objects.select_related("specification", "candidate").get(
        pk=pk, candidate=candidate
    )


def items_of(application) -> list[EvidenceItem]:
    return list(
        EvidenceItem.objects.filter(application=application)
        .prefetch_related(Prefetch("mapping", queryset=ItemOutcome.objects.order_by("outcome_id")))
        .order_by("round", "created_at", "pk")
    )


def witness_requests_of(application) -> list[WitnessRequest]:
    return list(
        WitnessRequest.objects.filter(application=application)
        .select_related("testimony")
        .prefetch_related("outcomes")
    )


def snapshots_of(application) -> list[Snapshot]:
    return list(Snapshot.objects.filter(application=application).order_by("round"))


@dataclass
class Row:
    outcome: object
    items: list = field(default_factory=list)
    self_assessment: object = None

    @property
    def covered(self) -> bool:
        return bool(self.items)


def coverage(application, items=None) -> list[Row]:
    """One row per learning outcome with the evidence mapped to it and the self-assessment."""
    items = items if items is not None else items_of(application)
    rows = {o.pk: Row(o) for o in outcomes_of(application.specification)}
    for answer in application.self_assessments.all():
        if answer.outcome_id in rows:
            rows[answer.outcome_id].self_assessment = answer
    for item in items:
        for link in item.mapping.all():
            if link.outcome_id in rows:
                rows[link.outcome_id].items.append(item)
    return list(rows.values())
