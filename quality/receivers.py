"""Quality assurance listens to the engine: scores are kept for the statistics as they are recorded,
and decided cases and appeals are offered to the sampling policy."""

from django.dispatch import receiver

from quality.audits import services
from quality.statistics import scores as reporting
from workflows import signals


@receiver(signals.step_recorded, dispatch_uid="quality.record_scores")
def keep_scores(sender, result, **kwargs):
    reporting.record_scores(result)


@receiver(signals.case_decided, dispatch_uid="quality.on_decision")
def sample_decision(sender, case_id, **kwargs):
    services.on_decision(case_id)


@receiver(signals.appeal_decided, dispatch_uid="quality.on_appeal")
def sample_appeal(sender, case_id, **kwargs):
    services.on_appeal(case_id)
