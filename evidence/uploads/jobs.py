from celery import shared_task

from evidence.uploads import services


@shared_task
def sweep_abandoned_uploads() -> int:
    """Delete unfinished chunked uploads quiet for EVIDENCE_ABANDONED_UPLOAD_HOURS and partial
    files no upload owns; celery beat runs it every hour. Returns how many went."""
    return services.sweep_abandoned_uploads().removed
