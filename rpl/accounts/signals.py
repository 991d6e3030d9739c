from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import translation

from rpl.accounts.services import remember_language
from rpl.audit import services as audit


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit.record(actor=user, action="user.logged_in", target=user)
    if request is not None:
        remember_language(user, translation.get_language_from_request(request))


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="user.logged_out", target=user)
