"""Verify a credential: its proof against the issuer's DID document, its status and its dates.

:func:`verify_text` accepts what a person pastes or uploads (JSON-LD with a Data Integrity proof,
or an OB 3.0 VC-JWT); :func:`verify_document` and :func:`verify_jwt` take parsed input. Each
returns a :class:`Report` of named :class:`Check` results with a reason for each; the credential
is valid only when every check passes, and its content may be shown only when its signature checked
out (:attr:`Report.authentic_credential`). Nothing here raises on bad input and nothing touches
the network: an issuer is resolved from its did:key identifier alone, or among the organisations
this instance publishes (:class:`Issuers`); for any other issuer (another server's did:web, an
https key) the report says the issuer's key cannot be checked, never that the credential is forged.

What depends only on a document's bytes and its issuer's published keys (the schema check, the
proofs) is remembered per document digest and the issuer's key set (:meth:`Issuers.key_set`);
the status outcome per document digest and the versions of the status lists it points to
(:func:`_status_versions`), so that a withdrawn key, a revocation or a suspension shows on the
very next request. Our own status lists are read from the database: their proofs are verified
again only when a list changes.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from credentials.catalogue.models import Organisation
from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists
from credentials.issuing.models import IssuedCredential, IssuerKey, StatusList
from rpl.lib import data_integrity, did_key, did_web, vc_jwt
from rpl.lib.bitstring_status import StatusListError, read_entry
from rpl.lib.jsonld_loader import CREDENTIALS_V2
from rpl.site import absolute

MAX_INPUT_BYTES = 256 * 1024
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
# JSON-LD compaction may write these as a single value; the OB 3.0 JSON Schema wants arrays.
COLLAPSIBLE = ("type", "proof", "credentialSchema", "termsOfUse")
# Entries per process; a credential's page uses about six (its parsed text and rendered parts
# among them, some 60 KB together), so this bounds the memo near 20 MB.
MEMO_SIZE = 2048


@dataclass
class Check:
    name: str  # "format", "signature", "status", "dates"
    ok: bool
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None  # as submitted: show it only if authentic
    form: str = ""  # "json-ld" or "jwt"
    revoked: bool = False
    suspended: bool = False
    expired: bool = False
    key_unavailable: bool = False  # the issuer's key could not be obtained: nothing is known

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def authentic_credential(self) -> dict[str, Any] | None:
        """The credential, if its issuer's signature checked out; otherwise nothing to show."""
        signature = self.check("signature")
        return self.credential if signature is not None and signature.ok else None

    @property
    def reasons(self) -> list[str]:
        return [check.message for check in self.checks if not check.ok]

    def check(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks.append(Check(name, ok, message))


# Issuers ----------------------------------------------------------------------------------------


class IssuerKeyUnavailable(LookupError):
    """The issuer's keys cannot be obtained here: they are published on another server."""


class Issuers:
    """The issuers one verification meets, each looked up at most once.

    did:key documents come from the identifier itself and our organisations' did:web documents from
    the database; ``documents`` are DID (or controller) documents the caller obtained and trusts.
    :meth:`key_set` names the keys an issuer publishes now without building its document, so that
    a remembered proof result can be found with one small query.
    """

    def __init__(self, documents: Iterable[dict[str, Any]] = ()):
        self._given = {document["id"]: document for document in documents}
        self._documents: dict[str, dict[str, Any] | Exception] = {}
        self._key_sets: dict[str, tuple] = {}

    def key_set(self, did: str) -> tuple:
        if did in self._given:
            return ("given", _digest(self._given[did]))
        if did.startswith(did_key.PREFIX):
            return (did,)
        if did not in self._key_sets:
            organisation = _our_organisation(did)
            if organisation is None:
                raise IssuerKeyUnavailable(did)
            # The keys keys.published_keys publishes: every key not withdrawn.
            self._key_sets[did] = tuple(
                _rows(
                    f'SELECT "id" FROM {IssuerKey._meta.db_table} '  # noqa: S608 (a table name)
                    'WHERE "organisation_id" = %s AND "withdrawn_at" IS NULL ORDER BY "id"',
                    [organisation.pk],
                )
            )
        return self._key_sets[did]

    def document(self, did: str) -> dict[str, Any]:
        if did not in self._documents:
            self._documents[did] = self._resolve(did)
        found = self._documents[did]
        if isinstance(found, Exception):
            raise found
        return found

    def _resolve(self, did: str) -> dict[str, Any] | Exception:
        if did in self._given:
            return self._given[did]
        if did.startswith(did_key.PREFIX):
            try:
                return did_key.did_key_document(did)
            except did_key.DidKeyError as exc:
                return exc
        organisation = _our_organisation(did)
        if organisation is None:
            return IssuerKeyUnavailable(did)
        try:
            return keys.did_document(organisation)
        except keys.IssuerKeyError:
            return did_web.DidWebError(f"{did!r} is not an issuer known to this service")

    def key(self, method_id: str) -> Ed25519PublicKey:
        """A ``resolve_key`` for :mod:`rpl.lib.data_integrity` and :mod:`rpl.lib.vc_jwt`."""
        if not isinstance(method_id, str):
            raise did_web.DidWebError(f"{method_id!r} is not a key id")
        return did_web.resolve_verification_method(
            self.document(method_id.split("#", 1)[0]), method_id
        )


def _our_organisation(did: str) -> Organisation | None:
    """The organisation whose did:web ``did`` is, if it names one of this instance's issuers."""
    pk = did.rpartition(":")[2]
    if not pk.isdigit():
        return None
    organisation = Organisation(pk=int(pk))  # organisation_did reads the pk only
    return organisation if keys.organisation_did(organisation) == did else None


# Memo of results that cannot go stale: keyed by every input they depend on -----------------------

_memo: OrderedDict[tuple, Any] = OrderedDict()
_memo_lock = threading.Lock()


def remember(key: tuple | None, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered under ``key``: a key must name every input the value depends on
    (so that it never goes stale); ``None`` computes without remembering."""
    if key is None:
        return compute()
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = compute()
    with _memo_lock:
        _memo[key] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def _digest(value: Any) -> str | None:
    try:
        # Key order is kept: the same text always gets the same digest, which is all a memo needs.
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rows(sql: str, params: list) -> list[tuple]:
    """The rows of a hand-written query: on the path of every verification page, building the
    query with the ORM costs several times what running it does."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _status_versions(credential: dict[str, Any]) -> tuple | None:
    """The version of every status list ``credential`` points to (``StatusList.version`` grows
    with every change), in one query; ``None`` when one of them is not ours (then nothing may be
    remembered)."""
    urls = {
        entry.get("statusListCredential")
        for entry in _status_entries(credential)
        if isinstance(entry, dict)
    }
    base = absolute()
    wanted = {}
    for url in urls:
        if not isinstance(url, str) or not url.startswith(base + "/"):
            return None
        try:
            match = resolve(url[len(base) :].split("?", 1)[0].split("#", 1)[0])
        except Resolver404:
            return None
        if match.view_name != "issued:status_list":
            return None
        kwargs = match.kwargs
        wanted[(int(kwargs["org"]), kwargs["purpose"], int(kwargs["number"]))] = url
    if not wanted:
        return ()
    where = " OR ".join(
        ['("organisation_id" = %s AND "purpose" = %s AND "number" = %s)'] * len(wanted)
    )
    rows = _rows(
        f'SELECT "organisation_id", "purpose", "number", "version" '  # noqa: S608
        f"FROM {StatusList._meta.db_table} WHERE {where}",  # a table name and placeholders
        [value for key in wanted for value in key],
    )
    found = {(org, purpose, number): version for org, purpose, number, version in rows}
    if set(found) != set(wanted):
        return None
    return tuple(sorted(found.items()))


# Checks -------------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _is_vc_1_1(credential: dict[str, Any]) -> bool:
    contexts = credential.get("@context")
    return isinstance(contexts, list) and bool(contexts) and contexts[0] == CREDENTIALS_V1


def _date_names(credential: dict[str, Any]) -> tuple[str, str]:
    """The names of the issue and expiry dates: VC 2.0's, or VC 1.1's (OB 3.0.0 credentials)."""
    if _is_vc_1_1(credential):
        return "issuanceDate", "expirationDate"
    return "validFrom", "validUntil"


def verify_text(
    text: str | bytes, now: datetime | None = None, issuers: Issuers | None = None
) -> Report:
    """Verify pasted or uploaded text: JSON-LD (Data Integrity) or a compact VC-JWT."""
    report = Report()
    if isinstance(text, bytes):
        if len(text) > MAX_INPUT_BYTES:
            report.add("format", False, _too_big())
            return report
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.add("format", False, _("The file is not UTF-8 text."))
            return report
    if not isinstance(text, str) or not text.strip():
        report.add("format", False, _("Nothing to verify: the input is empty."))
        return report
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        report.add("format", False, _too_big())
        return report
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            report.add("format", False, _("This is not valid JSON: %(error)s") % {"error": exc})
            return report
        return verify_document(document, now, issuers)
    if stripped.count(".") == 2 and " " not in stripped:
        return verify_jwt(stripped, now, issuers)
    report.add(
        "format",
        False,
        _("This is neither a JSON-LD credential nor a VC-JWT (three dot-separated parts)."),
    )
    return report


def _too_big() -> str:
    return _("The input is larger than %(size)s KB: a credential is much smaller.") % {
        "size": MAX_INPUT_BYTES // 1024
    }


def _schema_view(credential: dict[str, Any]) -> dict[str, Any]:
    """``credential`` as the OB 3.0 JSON Schema reads it: single values JSON-LD compaction allows
    as lists, and an OB 3.0.0 (VC 1.1) credential's context and dates by their VC 2.0 names."""
    view = dict(credential)
    for name in COLLAPSIBLE:
        if name in view and not isinstance(view[name], list):
            view[name] = [view[name]]
    if _is_vc_1_1(credential):
        view["@context"] = [CREDENTIALS_V2, *credential["@context"][1:]]
        for old, new in zip(_date_names(credential), ("validFrom", "validUntil"), strict=True):
            if old in view:
                view[new] = view.pop(old)
    return view


def _schema_errors(credential: dict[str, Any]) -> list[str]:
    try:
        return issuing.schema_errors(_schema_view(credential))
    except Exception as exc:  # a pathological document must still give a report
        return [repr(exc)]


def _check_format(report: Report, credential: Any, digest: str | None) -> bool:
    if not isinstance(credential, dict):
        report.add("format", False, _("A credential is a JSON object."))
        return False
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types or not (
        "OpenBadgeCredential" in types or "AchievementCredential" in types
    ):
        report.add(
            "format", False, _("This is not an Open Badges 3.0 credential (OpenBadgeCredential).")
        )
        return False
    errors = remember(digest and ("schema", digest), lambda: _schema_errors(credential))
    if errors:
        report.add(
            "format",
            False,
            _("The credential does not follow the Open Badges 3.0 schema: %(error)s")
            % {"error": errors[0]},
        )
        return False
    report.add("format", True, _("An Open Badges 3.0 credential that follows the schema."))
    return True


def _check_dates(report: Report, credential: dict[str, Any], now: datetime) -> None:
    start_name, end_name = _date_names(credential)
    valid_from = _parse_time(credential.get(start_name))
    valid_until = _parse_time(credential.get(end_name))
    if valid_from is None:
        report.add("dates", False, _("The credential has no valid issue date (validFrom)."))
    elif valid_from > now:
        report.add("dates", False, _("The credential is not valid yet."))
    elif end_name in credential and valid_until is None:
        report.add("dates", False, _("The expiry date (validUntil) is not a valid date."))
    elif valid_until is not None and valid_until <= now:
        report.expired = True
        report.add(
            "dates",
            False,
            _("The credential expired on %(date)s.") % {"date": valid_until.date().isoformat()},
        )
    elif valid_until is not None:
        report.add(
            "dates",
            True,
            _("Valid from %(start)s until %(end)s.")
            % {"start": valid_from.date().isoformat(), "end": valid_until.date().isoformat()},
        )
    else:
        report.add(
            "dates",
            True,
            _("Valid from %(start)s; it does not expire.")
            % {"start": valid_from.date().isoformat()},
        )


def _key_unavailable(report: Report, did: str) -> None:
    report.key_unavailable = True
    report.add(
        "signature",
        False,
        _(
            "Cannot check the issuer's key: %(issuer)s publishes it on its own server, and this "
            "service checks only did:key issuers and the issuers it publishes itself. Nothing is "
            "known about this credential: verify it with its issuer."
        )
        % {"issuer": did},
    )


def _check_signature(
    report: Report, document: dict[str, Any], issuers: Issuers, digest: str | None
) -> None:
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    dids = sorted(
        {
            proof["verificationMethod"].split("#", 1)[0]
            for proof in proofs
            if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str)
        }
    )
    try:
        key_sets = tuple(issuers.key_set(did) for did in dids)
    except IssuerKeyUnavailable as exc:
        return _key_unavailable(report, str(exc))
    result = remember(
        digest and ("proof", digest, key_sets), lambda: _verify_proofs(document, issuers)
    )
    issuer = _issuer_id(document)
    if not result.ok:
        report.add(
            "signature",
            False,
            _("The signature does not check out: %(reason)s") % {"reason": result.reason},
        )
    elif not (result.verification_method or "").startswith(f"{issuer}#"):
        report.add("signature", False, _("The signing key does not belong to the issuer."))
    else:
        report.add(
            "signature",
            True,
            _("Signed by the issuer with key %(key)s.") % {"key": result.verification_method},
        )


def _verify_proofs(document: dict[str, Any], issuers: Issuers) -> data_integrity.VerificationResult:
    try:
        return data_integrity.verify(document, issuers.key, issuing.extra_contexts())
    except Exception as exc:  # a pathological document must still give a report
        return data_integrity.VerificationResult(False, repr(exc))


def _check_status_remembered(
    report: Report, credential: dict[str, Any], digest: str | None
) -> None:
    versions = _status_versions(credential)
    key = (
        digest and versions is not None and ("status", digest, versions, translation.get_language())
    )

    def compute() -> Report:
        alone = Report()
        _check_status(alone, credential)
        return alone

    status = remember(key or None, compute)
    report.checks.extend(status.checks)
    report.revoked, report.suspended = status.revoked, status.suspended


def _status_entries(credential: dict[str, Any]) -> list[Any]:
    """``credentialStatus``, and the ``suspensionStatus`` of a credential issued before 0012."""
    entries = []
    for name in ("credentialStatus", "suspensionStatus"):
        status = credential.get(name)
        if status is not None:
            entries.extend(status if isinstance(status, list) else [status])
    return entries


def _check_status(report: Report, credential: dict[str, Any]) -> None:
    entries = _status_entries(credential)
    if not entries:
        report.add("status", True, _("The credential has no status list: it cannot be revoked."))
        return
    problems = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            problems.append(_("An unsupported status entry."))
            continue
        status_list = status_lists.find_by_url(entry.get("statusListCredential"))
        if status_list is None:
            problems.append(_("The status list is not published by this service."))
            continue
        published = status_lists.published(status_list)
        proof = data_integrity.verify(published, keys.resolve_method)
        if not proof.ok or published.get("issuer") != _issuer_id(credential):
            problems.append(_("The status list's signature does not check out."))
            continue
        try:
            status = read_entry(entry, published.get("credentialSubject", {}))
        except StatusListError:
            problems.append(_("The status entry does not match its list."))
            continue
        # A one-bit entry is named by its purpose; a message entry by its statusMessage.
        meaning = status.message or (status.purpose if status.value else "valid")
        if meaning in ("revoked", "revocation"):
            report.revoked = True
            problems.append(_("The credential has been revoked."))
        elif meaning in ("suspended", "suspension"):
            report.suspended = True
            problems.append(_("The credential is suspended."))
        elif meaning != "valid":
            problems.append(_("The credential has a status this service does not know."))
    if problems:
        report.add("status", False, " ".join(problems))
    else:
        report.add("status", True, _("Neither revoked nor suspended (checked just now)."))


def verify_document(
    document: Any, now: datetime | None = None, issuers: Issuers | None = None
) -> Report:
    """Verify a JSON-LD credential with its Data Integrity (eddsa-rdfc-2022) proof or proofs."""
    return _verify_document(document, _digest(document), _now(now), issuers or Issuers())


def verify_issued(credential: IssuedCredential, now: datetime | None = None) -> Report:
    """Verify one of this service's credentials as it was issued (its text never changes, so it
    is read and digested once)."""
    document, digest = remember(
        ("issued", credential.public_id),
        lambda: (
            credential.document,
            hashlib.sha256(credential.document_json.encode()).hexdigest(),
        ),
    )
    return _verify_document(document, digest, _now(now), Issuers())


def _verify_document(document: Any, digest: str | None, now: datetime, issuers: Issuers) -> Report:
    report = Report(credential=document if isinstance(document, dict) else None, form="json-ld")
    if not _check_format(report, document, digest):
        return report
    _check_signature(report, document, issuers, digest)
    if report.authentic_credential is None:  # what unsigned content says is not checked
        return report
    _check_status_remembered(report, document, digest)
    _check_dates(report, document, now)
    return report


def verify_jwt(token: str, now: datetime | None = None, issuers: Issuers | None = None) -> Report:
    """Verify an OB 3.0 VC-JWT: its signature, then the status and dates of what it carries."""
    now = _now(now)
    report = Report(form="jwt")
    try:
        header = pyjwt.get_unverified_header(token)
        # Dates are checked below, with their own message; the signature is checked here.
        credential = vc_jwt.decode(
            token, (issuers or Issuers()).key, now=now, leeway_seconds=10**11
        )
    except (vc_jwt.VcJwtError, pyjwt.PyJWTError, ValueError) as exc:
        if isinstance(exc.__cause__, IssuerKeyUnavailable):
            _key_unavailable(report, str(exc.__cause__))
            return report
        report.add("format", False, _("Not a valid VC-JWT: %(reason)s") % {"reason": exc})
        return report
    report.credential = credential
    digest = _digest(credential)
    if not _check_format(report, credential, digest):
        return report
    kid = header.get("kid", "")
    if not kid.startswith(f"{_issuer_id(credential)}#"):
        report.add("signature", False, _("The signing key does not belong to the issuer."))
    else:
        report.add("signature", True, _("Signed by the issuer with key %(key)s.") % {"key": kid})
    _check_status_remembered(report, credential, digest)
    _check_dates(report, credential, now)
    return report
