"""Verify a credential: its proof against the issuer's DID document, its status and its dates.

:func:`verify_text` accepts what a person pastes or uploads (JSON-LD with a Data Integrity proof,
or an OB 3.0 VC-JWT); :func:`verify_document` and :func:`verify_jwt` take parsed input. Each
returns a :class:`Report` of named :class:`Check` results with a reason for each; the credential
is valid only when every check passes. Nothing here raises on bad input and nothing touches the
network: issuers are resolved only among the organisations this instance publishes, and status
lists only among those it serves (anything else is reported as not checkable).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
from django.utils.translation import gettext as _

from credentials.issuing import documents as issuing
from credentials.issuing import keys, status_lists
from rpl.lib import data_integrity, vc_jwt
from rpl.lib.bitstring_status import StatusList as Bitstring
from rpl.lib.bitstring_status import StatusListError

MAX_INPUT_BYTES = 256 * 1024


@dataclass
class Check:
    name: str  # "format", "signature", "status", "dates"
    ok: bool
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    form: str = ""  # "json-ld" or "jwt"
    revoked: bool = False
    suspended: bool = False
    expired: bool = False

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [check.message for check in self.checks if not check.ok]

    def check(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks.append(Check(name, ok, message))


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


def verify_text(text: str | bytes, now: datetime | None = None) -> Report:
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
        return verify_document(document, now)
    if stripped.count(".") == 2 and " " not in stripped:
        return verify_jwt(stripped, now)
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


def _check_format(report: Report, credential: Any) -> bool:
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
    try:
        errors = issuing.schema_errors(credential)
    except Exception as exc:  # a pathological document must still give a report
        errors = [repr(exc)]
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
    valid_from = _parse_time(credential.get("validFrom"))
    valid_until = _parse_time(credential.get("validUntil"))
    if valid_from is None:
        report.add("dates", False, _("The credential has no valid issue date (validFrom)."))
    elif valid_from > now:
        report.add("dates", False, _("The credential is not valid yet."))
    elif "validUntil" in credential and valid_until is None:
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


def _status_entries(credential: dict[str, Any]) -> list[Any]:
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
        purpose = entry.get("statusPurpose")
        status_list = status_lists.find_by_url(entry.get("statusListCredential"))
        if status_list is None:
            problems.append(_("The status list is not published by this service."))
            continue
        published = status_lists.published(status_list)
        proof = data_integrity.verify(published, keys.resolve_method)
        if not proof.ok or published.get("issuer") != _issuer_id(credential):
            problems.append(_("The status list's signature does not check out."))
            continue
        subject = published.get("credentialSubject", {})
        if subject.get("statusPurpose") != purpose:
            problems.append(_("The status entry's purpose does not match its list."))
            continue
        try:
            index = int(entry.get("statusListIndex"))
            is_set = Bitstring.decode(subject["encodedList"]).get(index)
        except (TypeError, ValueError, KeyError, StatusListError):
            problems.append(_("The status entry's index is not in its list."))
            continue
        if is_set and purpose == "revocation":
            report.revoked = True
            problems.append(_("The credential has been revoked."))
        elif is_set and purpose == "suspension":
            report.suspended = True
            problems.append(_("The credential is suspended."))
    if problems:
        report.add("status", False, " ".join(problems))
    else:
        report.add("status", True, _("Neither revoked nor suspended (checked just now)."))


def verify_document(document: Any, now: datetime | None = None) -> Report:
    """Verify a JSON-LD credential with its Data Integrity (eddsa-rdfc-2022) proof."""
    now = _now(now)
    report = Report(credential=document if isinstance(document, dict) else None, form="json-ld")
    if not _check_format(report, document):
        return report
    try:
        result = data_integrity.verify(document, keys.resolve_method, issuing.extra_contexts())
    except Exception as exc:  # a pathological document must still give a report
        result = data_integrity.VerificationResult(False, repr(exc))
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
    _check_status(report, document)
    _check_dates(report, document, now)
    return report


def verify_jwt(token: str, now: datetime | None = None) -> Report:
    """Verify an OB 3.0 VC-JWT: its signature, then the status and dates of what it carries."""
    now = _now(now)
    report = Report(form="jwt")
    try:
        header = pyjwt.get_unverified_header(token)
        # Dates are checked below, with their own message; the signature is checked here.
        credential = vc_jwt.decode(token, keys.resolve_method, now=now, leeway_seconds=10**11)
    except (vc_jwt.VcJwtError, pyjwt.PyJWTError, ValueError) as exc:
        report.add("format", False, _("Not a valid VC-JWT: %(reason)s") % {"reason": exc})
        return report
    report.credential = credential
    if not _check_format(report, credential):
        return report
    kid = header.get("kid", "")
    if not kid.startswith(f"{_issuer_id(credential)}#"):
        report.add("signature", False, _("The signing key does not belong to the issuer."))
    else:
        report.add("signature", True, _("Signed by the issuer with key %(key)s.") % {"key": kid})
    _check_status(report, credential)
    _check_dates(report, credential, now)
    return report
