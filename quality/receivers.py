"""Quality assurance listens to the engine: scores and the dashboard's roll-ups are kept as they
are recorded and as tasks are done, and decided cases and appeals are offered to the sampling
policy."""

from django.dispatch import receiver

from quality.audits import services
from quality.statistics import rollups
from quality.statistics import scores as reporting
from workflows import signals


@receiver(signals.step_recorded, dispatch_uid="quality.record_scores")
def keep_scores(sender, result, **kwargs):
    moderated_sheets = reporting.record_scores(result)
    rollups.add_result(result, moderated_sheets)


@receiver(signals.task_done, dispatch_uid="quality.rollups.step_wait")
def keep_step_wait(sender, case, task, **kwargs):
    rollups.add_step_wait(case, task)


# Both are sent after the engine's transaction commits: the decided-case row is refreshed from the
# case as it is then, which no later delivery of either signal can count twice.
@receiver(signals.case_decided, dispatch_uid="quality.rollups.decision")
def keep_decision(sender, case_id, **kwargs):
    rollups.refresh_decision(case_id)


@receiver(signals.appeal_decided, dispatch_uid="quality.rollups.appeal")
def keep_appeal_outcome(sender, case_id, **kwargs):
    rollups.refresh_decision(case_id)


@receiver(signals.case_decided, dispatch_uid="quality.on_decision")
def sample_decision(sender, case_id, **kwargs):
    services.on_decision(case_id)


@receiver(signals.appeal_decided, dispatch_uid="quality.on_appeal")
def sample_appeal(sender, case_id, **kwargs):
    services.on_appeal(case_id)
