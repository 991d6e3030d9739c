"""The case dossier: everything about one case on one page and in one PDF, read in a fixed
number of queries, with the audit trail of the case checked link by link."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404

from assessments.scoresheets import records
from rpl import pdf
from rpl.audit.models import AuditEvent
from rpl.lib import hashchain
from workflows.models import Case, IdentityDocument, StepResult
from workflows.pipelines import schema


@dataclass
class CheckedEvent:
    event: AuditEvent
    intact: bool
    problem: str = ""


def _checked_trail(targets: Q) -> tuple[list[CheckedEvent], bool]:
    """The events about the case, each recomputed from its content and its previous hash, and
    its previous hash compared with the event before it in the whole chain."""
    events = list(AuditEvent.objects.filter(targets).order_by("sequence"))
    previous = dict(
        AuditEvent.objects.filter(
            sequence__in=[e.sequence - 1 for e in events if e.sequence > 1]
        ).values_list("sequence", "hash")
    )
    checked = []
    for event in events:
        expected_prev = (
            hashchain.GENESIS if event.sequence == 1 else previous.get(event.sequence - 1)
        )
        if hashchain.link_hash(event.chain_content(), event.prev_hash) != event.hash:
            checked.append(CheckedEvent(event, False, "altered"))
        elif expected_prev != event.prev_hash:
            checked.append(CheckedEvent(event, False, "unlinked"))
        else:
            checked.append(CheckedEvent(event, True))
    return checked, all(c.intact for c in checked)


def _mark(sheet: records.ScoreSheet, outcome: str) -> dict:
    """What one score sheet says of one learning outcome."""
    rules = sheet.rules.get(outcome)
    return {
        "score": sheet.scores.get(outcome),
        "comment": sheet.comments.get(outcome, ""),
        "rules": rules.model_dump() if rules else {},
    }


def _steps(case, results, outcomes):
    """Each step of the plan that ran, with what every person recorded on it, per round."""
    by_step = defaultdict(list)
    for result in results:
        by_step[result.step_id].append(result)
    names = {str(o.pk): o for o in outcomes}
    steps = []
    for step in case.plan_model.steps:
        rows = by_step.get(step.id)
        if not rows and step.id not in case.results:
            continue
        rounds = sorted({r.record.round for r in rows or []})
        entry = {
            "step": step,
            "kind_label": schema.STEP_KIND_LABELS.get(step.kind, step.kind),
            "measures": case.results.get(step.id, {}),
            "results": rows or [],
            "rounds": [],
        }
        if step.kind in schema.SCORED_KINDS:
            for number in rounds:
                markers = [
                    r
                    for r in rows
                    if r.record.round == number and isinstance(r.record, records.ScoreSheet)
                ]
                entry["rounds"].append(
                    {
                        "number": number,
                        "markers": markers,
                        "outcomes": [
                            {
                                "outcome": outcome,
                                "marks": [_mark(m.record, key) for m in markers],
                            }
                            for key, outcome in names.items()
                        ],
                    }
                )
        if step.kind == schema.StepKind.DECISION:
            for row in rows or []:
                row.recognised = [
                    names[str(pk)] for pk in row.record.recognised_outcomes if str(pk) in names
                ]
        steps.append(entry)
    return steps


def build(case_pk: int) -> dict:
    case = get_object_or_404(
        Case.objects.select_related(
            "specification__awarding_body",
            "pipeline_version__pipeline",
            "candidate",
            "application",
            "credential",
        ),
        pk=case_pk,
    )
    outcomes = list(case.specification.outcomes.order_by("position"))
    results = list(
        StepResult.objects.filter(case=case)
        .select_related("actor", "task")
        .order_by("created_at", "pk")
    )
    snapshots = list(case.application.snapshots.order_by("round")) if case.application else []
    appeals = list(
        case.appeals.select_related("reviewed_by", "decided_by").order_by("submitted_at")
    )
    audits = list(case.audits.select_related("reviewed_by").order_by("created"))
    credential = getattr(case, "credential", None)
    targets = Q(target_type="workflows.case", target_id=str(case.pk))
    if case.application_id:
        targets |= Q(target_type="evidence.application", target_id=str(case.application_id))
    if credential is not None:
        targets |= Q(target_type="credentials.issuedcredential", target_id=str(credential.pk))
    if appeals:
        targets |= Q(target_type="workflows.appeal", target_id__in=[str(a.pk) for a in appeals])
    trail, trail_intact = _checked_trail(targets)
    return {
        "case": case,
        "outcomes": outcomes,
        "steps": _steps(case, results, outcomes),
        "snapshots": snapshots,
        "identity_documents": list(IdentityDocument.objects.filter(case=case)),
        "appeals": appeals,
        "audits": audits,
        "credential": credential,
        "trail": trail,
        "trail_intact": trail_intact,
    }


def render_pdf(dossier: dict) -> bytes:
    return pdf.render_pdf("quality/dossier_pdf.html", dossier)
