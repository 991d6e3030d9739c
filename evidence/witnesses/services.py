"""Witnesses: invited by e-mail, they answer once through a signed link, without an account.

The testimony becomes an evidence item of the application.

Raise ``ApplicationError`` (from the portfolio) or ``WitnessLinkError`` (a message and a code).
"""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credentials.catalogue.selectors import outcomes_of
from evidence.models import Application, EvidenceItem, ItemOutcome, Testimony, WitnessRequest
from evidence.portfolio.services import locked, require_editable
from rpl.accounts.jobs import send_email
from rpl.accounts.mail import language_of, tell
from rpl.audit import services as audit
from rpl.site import absolute

WITNESS_SALT = "evidence.witness"
WITNESS_LINK_DAYS = 14


def _item_round(application: Application) -> int:
    """New evidence goes into the round being prepared; after a submission, into the next one."""
    return application.round if application.is_editable else application.round + 1


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def witness_token(request: WitnessRequest, nonce: str) -> str:
    return signing.dumps({"w": request.pk, "n": nonce}, salt=WITNESS_SALT, compress=True)


def as_relation(request: WitnessRequest) -> str:
    """How the witness is spoken to, in the third person and the active language: "as their
    manager or supervisor (Head of IT, Acme)". Gender-neutral: the candidate's is not known."""
    Relation = WitnessRequest.Relation  # noqa: N806 - the choices, by their names
    phrase = {
        Relation.MANAGER: _("as their manager or supervisor"),
        Relation.COLLEAGUE: _("as a colleague"),
        Relation.CLIENT: _("as a client or customer"),
        Relation.TEACHER: _("as their teacher or trainer"),
    }.get(request.relation, _("as someone who knows their work"))
    role = request.relationship.strip()
    return f"{phrase} ({role})" if role else phrase


@transaction.atomic
def invite_witness(
    application,
    *,
    actor,
    witness_name,
    witness_email,
    relationship,
    claim,
    outcomes=(),
    relation=WitnessRequest.Relation.OTHER,
) -> tuple[WitnessRequest, str]:
    """Ask a witness to confirm ``claim``: ``relation`` (a ``WitnessRequest.Relation``) says how
    they know the candidate's work, ``relationship`` their role or organisation."""
    application = locked(application)
    require_editable(application)
    nonce = secrets.token_urlsafe(24)
    request = WitnessRequest.objects.create(
        application=application,
        witness_name=witness_name,
        witness_email=witness_email,
        relation=relation,
        relationship=relationship,
        claim=claim,
        nonce_hash=_nonce_hash(nonce),
        expires_at=timezone.now() + timedelta(days=WITNESS_LINK_DAYS),
    )
    valid = {o.pk for o in outcomes_of(application.specification)}
    request.outcomes.set([o for o in outcomes if o.pk in valid])
    token = witness_token(request, nonce)
    link = absolute(reverse("evidence:witness", args=[token]))
    candidate = application.candidate.get_full_name()
    send_email.delay(
        _("%(candidate)s asks you to confirm their work") % {"candidate": candidate},
        _(
            "Hello %(witness)s,\n\n%(candidate)s is applying for recognition of what they learned "
            "at work (“%(credential)s”) and asks you, %(as_relation)s, to confirm it.\n\n"
            "Please open this link, read what you are asked to confirm and answer in a few "
            "words. You do not need an account. The link works once and until %(expires)s.\n\n"
            "%(link)s\n\nIf you do not know this person, you can ignore this message."
        )
        % {
            "witness": witness_name,
            "candidate": candidate,
            "credential": application.specification.title,
            "as_relation": as_relation(request),
            "expires": timezone.localtime(request.expires_at).strftime("%Y-%m-%d %H:%M"),
            "link": link,
        },
        [witness_email],
    )
    audit.record(
        actor=actor,
        action="witness.invited",
        target=application,
        changes={
            "request": request.pk,
            "relation": request.relation,
            "expires_at": request.expires_at.isoformat(),
        },
    )
    return request, token


def ALREADY_ANSWERED():  # noqa: N802
    return _("Thank you: your testimony has already been received. This link works only once.")


class WitnessLinkError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def witness_request_for(token: str) -> WitnessRequest:
    """The open request a witness link points to, or ``WitnessLinkError`` saying why not."""
    invalid = WitnessLinkError(
        _("This link is not valid. Check that you copied all of it from the e-mail."), "invalid"
    )
    expired = WitnessLinkError(
        _(
            "This link has expired. Please ask the candidate to send you a new one if you still "
            "wish to confirm their work."
        ),
        "expired",
    )
    try:
        data = signing.loads(token, salt=WITNESS_SALT, max_age=timedelta(days=WITNESS_LINK_DAYS))
    except signing.SignatureExpired:
        raise expired from None
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise invalid
    request = (
        WitnessRequest.objects.select_related(
            "application__candidate", "application__specification"
        )
        .filter(pk=data.get("w"))
        .first()
    )
    if request is None or not secrets.compare_digest(request.nonce_hash, _nonce_hash(data["n"])):
        raise invalid
    if request.status == WitnessRequest.Status.ANSWERED:
        raise WitnessLinkError(ALREADY_ANSWERED(), "used")
    if (
        request.status == WitnessRequest.Status.CANCELLED
        or request.application.status == Application.Status.WITHDRAWN
    ):
        raise WitnessLinkError(
            _("This request was cancelled; nothing more is needed."), "cancelled"
        )
    if request.expires_at <= timezone.now():
        raise expired
    return request


def record_testimony(
    token: str,
    *,
    full_name,
    position,
    relationship,
    confirmation,
    statement,
    declared=False,
):
    """Store the witness's testimony as an evidence item of the application. ``declared``: the
    witness ticked the declaration (the witness's page refuses to send without it); its time is
    kept with the testimony.

    The item's title is in the candidate's language, not the witness's: it is read in the
    candidate's portfolio."""
    with transaction.atomic():
        request = witness_request_for(token)
        request = WitnessRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != WitnessRequest.Status.SENT:
            raise WitnessLinkError(ALREADY_ANSWERED(), "used")
        application = locked(request.application)
        with translation.override(language_of(application.candidate)):
            title = (_("Testimony of %(name)s") % {"name": full_name})[:200]
        now = timezone.now()
        item = EvidenceItem.objects.create(
            application=application,
            round=_item_round(application),
            kind=EvidenceItem.Kind.TESTIMONY,
            title=title,
            date=timezone.localdate(),
            context=request.claim,
            statement=statement,
        )
        ItemOutcome.objects.bulk_create(
            [ItemOutcome(item=item, outcome=o) for o in request.outcomes.all()]
        )
        testimony = Testimony.objects.create(
            request=request,
            full_name=full_name,
            position=position,
            relationship=relationship,
            confirmation=confirmation,
            statement=statement,
            item=item,
            created_at=now,
            declared_at=now if declared else None,
        )
        request.status = WitnessRequest.Status.ANSWERED
        request.answered_at = now
        request.save(update_fields=["status", "answered_at"])
        audit.record(
            actor=None,
            action="witness.testimony_received",
            target=application,
            changes={
                "request": request.pk,
                "item": item.pk,
                "confirmation": confirmation,
                "declared": bool(declared),
            },
        )
        candidate = application.candidate
        tell(
            [candidate],
            lambda reader: (
                _("Your witness has answered"),
                _(
                    "Hello %(candidate)s,\n\n%(witness)s has sent their testimony for your "
                    "application “%(credential)s”. You can see it among your evidence.\n\n%(link)s"
                )
                % {
                    "candidate": reader.get_short_name(),
                    "witness": request.witness_name,
                    "credential": application.specification.title,
                    "link": absolute(reverse("evidence:witnesses", args=[application.pk])),
                },
            ),
        )
    return testimony
