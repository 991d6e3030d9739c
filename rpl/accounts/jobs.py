"""E-mail, sent by a worker (in-process without a broker).

Delivery is **at least once** (docs/decisions/0011-jobs-survive-crashes.md). The message of a
worker killed before it acknowledged the job is delivered again (``acks_late``), so no e-mail is
lost with a worker; but a worker killed after the mail server accepted the message and before
the acknowledgement sends it a second time when the job runs again: nothing outside the mail
server records that it was accepted, and an e-mail cannot be taken back, so the honest contract
is "at least once", and the texts are written so that a second copy does no harm. Where the job
does know, it does not send twice: once the server has accepted the message, a failure while
closing the connection is logged, not retried. Failures before that (the server down, refusing
or dropping the connection) are retried with backoff, up to five times.
"""

import contextlib
import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.core.mail import EmailMultiAlternatives, get_connection

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# The longest wait before a retry, in seconds (the broker's visibility timeout is longer).
RETRY_BACKOFF_MAX = 600


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_email(self, subject: str, body: str, to: list[str], html_body: str | None = None) -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    connection = get_connection()
    try:
        connection.open()
        sent = connection.send_messages([message])
    except OSError as error:  # smtplib's errors too: nothing was accepted, or we cannot know
        with contextlib.suppress(OSError):
            connection.close()
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=RETRY_BACKOFF_MAX, full_jitter=True
        )
        raise self.retry(exc=error, countdown=countdown) from error
    try:
        connection.close()
    except OSError:
        # The server accepted the message: sending it again would make a duplicate.
        logger.warning(
            "the mail server accepted an e-mail, then failed to end the session", exc_info=True
        )
    return sent
