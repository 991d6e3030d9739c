from celery import shared_task

from assessments.online_tests.services import close_expired


@shared_task
def close_expired_attempts() -> int:
    """Beat job: close online test attempts left open past their time limit."""
    return close_expired()
