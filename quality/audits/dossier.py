"""The case dossier: everything about one case on one page and in one PDF, read in a fixed
number of queries, with the audit trail of the case checked link by link."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from assessments.scoresheets import records
from evidence.models import EvidenceItem
from quality.audits import wording
from rpl import pdf
from rpl.audit.models import AuditEvent
from rpl.lib import hashchain
from workflows.identity.services import METHOD_LABELS
from workflows.models import Case, IdentityDocument, StepResult
from workflows.pipelines import schema


@dataclass
class CheckedEvent:
    event: AuditEvent
    intact: bool
    problem: str = ""
    words: wording.Wording | None = None


def _checked_trail(targets: Q) -> tuple[list[CheckedEvent], bool]:
    """The events about the case, each recomputed from its content and its previous hash, and
    its previous hash compared with the event before it in the whole chain."""
    events = list(AuditEvent.objects.filter(targets).select_related("actor").order_by("sequence"))
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
        if not event.hash_matches():  # under its own scheme: keyed (HMAC) or plain
            checked.append(CheckedEvent(event, False, "altered"))
        elif expected_prev != event.prev_hash:
            checked.append(CheckedEvent(event, False, "unlinked"))
        else:
            checked.append(CheckedEvent(event, True))
    return checked, all(c.intact for c in checked)


RULES_OF_EVIDENCE = {
    "valid": gettext_lazy("valid"),
    "authentic": gettext_lazy("authentic"),
    "current": gettext_lazy("current"),
    "sufficient": gettext_lazy("sufficient"),
}


# A case's state as viewflow keeps it, in words of the project's catalogue.
CASE_STATUS = {
    "NEW": gettext_lazy("In progress"),
    "DONE": gettext_lazy("Done"),
    "CANCELED": gettext_lazy("Cancelled"),
}


def _sheet(result, outcomes) -> dict:
    """One score sheet as a row of its step's table: a score per learning outcome, in the
    specification's order; the rules of evidence the marker found not met and the comments, each
    by the outcome's number."""
    sheet = result.record
    keys = [(str(o.pk), o.position) for o in outcomes]
    unmet = []
    for key, position in keys:
        rules = sheet.rules.get(key)
        found = rules.model_dump() if rules else {}
        missing = [str(RULES_OF_EVIDENCE.get(k, k)) for k, met in found.items() if not met]
        if missing:
            unmet.append((position, ", ".join(missing)))
    return {
        "round": sheet.round,
        "result": result,
        "scores": [sheet.scores.get(key) for key, _ in keys],
        "judged": bool(sheet.rules),
        "unmet": unmet,
        "comments": [(p, sheet.comments[key]) for key, p in keys if sheet.comments.get(key)],
    }


def _evidence(snapshots, vocabulary) -> None:
    """Each frozen item's kind and learning outcomes in words (``rows`` on each snapshot)."""
    for snapshot in snapshots:
        snapshot.rows = [
            {
                "item": item,
                "kind": wording.choice_label(EvidenceItem.Kind, item.get("kind")),
                "outcomes": vocabulary.outcome_list(item.get("outcomes")),
            }
            for item in (snapshot.content or {}).get("items", [])
        ]


def _steps(case, results, outcomes, vocabulary):
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
        measures = case.results.get(step.id, {})
        entry = {
            "step": step,
            "title": wording.step_title(step),
            "kind_label": schema.STEP_KIND_LABELS.get(step.kind, step.kind),
            "measures": measures,
            "measures_text": wording.measures_text(measures, step, vocabulary),
            "results": rows or [],
            "sheets": [],
        }
        if step.kind in schema.SCORED_KINDS:
            sheets = [r for r in rows or [] if isinstance(r.record, records.ScoreSheet)]
            entry["sheets"] = [
                _sheet(r, outcomes) for r in sorted(sheets, key=lambda r: r.record.round)
            ]
        if step.kind == schema.StepKind.IDENTITY_CHECK:
            for row in rows or []:
                method = getattr(row.record, "method", "") or step.method
                row.method_label = getattr(row.record, "method_label", "") or str(
                    METHOD_LABELS.get(method, wording.humanise(method))
                )
        if step.kind == schema.StepKind.DECISION:
            for row in rows or []:
                row.recognised = [
                    names[str(pk)] for pk in row.record.recognised_outcomes if str(pk) in names
                ]
                row.outcome_label = wording.outcome_label(row.record.outcome)
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
    vocabulary = wording.Vocabulary.of_case(case, outcomes=outcomes, snapshots=snapshots)
    for item in trail:
        item.words = wording.describe(item.event.action, item.event.changes, vocabulary)
    _evidence(snapshots, vocabulary)
    for appeal in appeals:
        appeal.recognised_words = vocabulary.outcome_list(appeal.recognised_outcomes, words=None)
    return {
        "case": case,
        "procedure": case.plan_model.title.text(),
        "status_label": str(CASE_STATUS.get(case.status) or case.get_status_display()),
        "outcomes": outcomes,
        "steps": _steps(case, results, outcomes, vocabulary),
        "snapshots": snapshots,
        "identity_documents": list(IdentityDocument.objects.filter(case=case)),
        "appeals": appeals,
        "audits": audits,
        "credential": credential,
        "trail": trail,
        "trail_intact": trail_intact,
    }


PDF_TEMPLATE = "quality/dossier_pdf.html"
PDF_STYLESHEET = "quality/dossier_pdf.css"


def render_pdf(dossier: dict) -> bytes:
    return pdf.render_pdf(PDF_TEMPLATE, dossier, css=PDF_STYLESHEET)
