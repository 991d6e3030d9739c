"""The learner as holder of their credentials: whom ``credentialSubject.id`` names.

A learner who proves control of a wallet DID (did:key or did:jwk, by signing a one-time challenge
shown on their wallet page; see :mod:`rpl.lib.holder`) is named by that DID in the credentials
issued afterwards, and the VC-JWT ``sub`` carries it: their wallet can then present the
credential as its holder. Otherwise the subject is ``urn:uuid:`` derived from a random seed
stored for the learner and the awarding organisation: stable for that pair, different for each
organisation, and revealing nothing of the learner (not their e-mail, not their id). Credentials
already issued keep the subject they were signed with.
"""

import secrets
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.issuing.models import Holder
from rpl.audit import services as audit
from rpl.lib.holder import HolderProofError, verify_proof

CHALLENGE_MINUTES = 15


def holder_of(learner) -> Holder:
    holder, _created = Holder.objects.get_or_create(learner=learner)
    return holder


def subject_id(learner, organisation) -> str:
    """The ``credentialSubject.id`` of a credential ``organisation`` issues to ``learner`` now."""
    holder = holder_of(learner)
    if holder.did:
        return holder.did
    return uuid.uuid5(holder.subject_seed, f"organisation:{organisation.pk}").urn


def current_challenge(learner) -> Holder:
    """The learner's holder row with a challenge valid now (a new one when it is missing or
    has expired)."""
    holder = holder_of(learner)
    if not holder.challenge or holder.challenge_expires_at <= timezone.now():
        holder.challenge = secrets.token_urlsafe(32)
        holder.challenge_expires_at = timezone.now() + timedelta(minutes=CHALLENGE_MINUTES)
        holder.save(update_fields=["challenge", "challenge_expires_at"])
    return holder


def proof_refusal(holder: Holder, did: str, proof: str) -> str | None:
    """Why ``proof`` does not bind ``did`` to the holder, or None when it does."""
    if not holder.challenge or holder.challenge_expires_at <= timezone.now():
        return _("The challenge has expired: sign the new challenge shown below.")
    try:
        verify_proof(did, proof, holder.challenge)
    except HolderProofError as exc:
        return _("The proof does not show that you control this DID: %(reason)s") % {"reason": exc}
    return None


@transaction.atomic
def bind_did(learner, did: str, proof: str) -> str | None:
    """Name ``learner`` by ``did`` in the credentials issued from now on, if ``proof`` signs their
    current challenge with a key of ``did`` (the challenge is then used up). Returns why not."""
    holder = Holder.objects.select_for_update().get(pk=holder_of(learner).pk)
    did = did.strip()
    refusal = proof_refusal(holder, did, proof.strip())
    if refusal:
        return refusal
    previous = holder.did
    holder.did, holder.did_bound_at = did, timezone.now()
    holder.challenge, holder.challenge_expires_at = "", None
    holder.save(update_fields=["did", "did_bound_at", "challenge", "challenge_expires_at"])
    audit.record(
        actor=learner,
        action="holder.did_bound",
        target=holder,
        changes={"did": did, "previous": previous},
    )
    return None


@transaction.atomic
def unbind_did(learner) -> None:
    """Stop naming ``learner`` by their DID in new credentials (issued ones keep it)."""
    holder = Holder.objects.select_for_update().get(pk=holder_of(learner).pk)
    if not holder.did:
        return
    previous, holder.did, holder.did_bound_at = holder.did, "", None
    holder.save(update_fields=["did", "did_bound_at"])
    audit.record(
        actor=learner, action="holder.did_removed", target=holder, changes={"previous": previous}
    )
