"""Demo data for quality assurance: one decided case waits for a quality officer's audit."""

from quality.audits.services import sample_for_audit
from quality.models import AuditCase
from workflows.models import Case


def seed_audit() -> None:
    decided = Case.objects.filter(status="DONE", outcome="full").order_by("pk").first()
    if decided is not None and not AuditCase.objects.exists():
        sample_for_audit(decided, reason="random", details={"demo": True})
