"""Bulk issuing from a CSV file: reading the file and checking every row before anything is issued.

The file is UTF-8 (with or without a byte-order mark), comma- or semicolon-separated (detected
from the header line), at most :data:`MAX_BYTES` bytes and :data:`MAX_ROWS` rows. The first line
names the columns, in any order:

==========================  ========  =====================================================
column                      required  value
==========================  ========  =====================================================
``email``                   yes       the learner's e-mail address (the account is found or
                                      created by it)
``full_name``               yes       the learner's name, used when the account is created
``specification``           yes       the address (slug) of a *published* specification
``recognised_outcomes``     no        positions of learning outcomes, ``1;2;3``, or ``all``
                                      (empty also means all)
``assessed_on``             yes       the date of the assessment, ``YYYY-MM-DD``, not in the
                                      future
``grade``                   no        the grade or result, as written on the credential
==========================  ========  =====================================================

Row numbers are the line numbers a spreadsheet shows: the header is row 1, the first learner row
2. Every problem is a :class:`RowError` naming the row and the column and saying what to do, in
the active language. :func:`parse` returns the valid rows only when there is no error at all: a
file is issued whole or not at all.

A row is identified by :func:`row_key` (e-mail, specification and assessment date), so that
issuing the same file again skips the rows already issued (see ``credentials.bulk.jobs``).
"""

import csv
import hashlib
import io
from dataclasses import asdict, dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.catalogue.models import Specification

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_NAME = 200
MAX_GRADE = 100

REQUIRED_COLUMNS = ("email", "full_name", "specification", "assessed_on")
OPTIONAL_COLUMNS = ("recognised_outcomes", "grade")
COLUMNS = ("email", "full_name", "specification", "recognised_outcomes", "assessed_on", "grade")
ALL_OUTCOMES = {"", "all", "wszystkie", "*"}
OUTCOME_SEPARATORS = (";", ",", "|", " ")


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` 0 and ``column`` "" mean the whole file."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Row:
    """One valid row, ready to issue; JSON-serialisable through :meth:`as_dict`."""

    row: int
    email: str
    full_name: str
    specification: str
    outcomes: list[int]  # positions; empty = all
    assessed_on: str  # ISO date
    grade: str = ""
    key: str = field(default="")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParseResult:
    rows: list[Row]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def row_key(email: str, specification: str, assessed_on: str) -> str:
    """The idempotency key of a row: one credential per learner, specification and date."""
    text = f"{email.strip().lower()}|{specification.strip()}|{assessed_on}"
    return hashlib.sha256(text.encode()).hexdigest()


def _file_error(message: str) -> ParseResult:
    return ParseResult(rows=[], errors=[RowError(0, "", message)])


def _normalise_header(name: str) -> str:
    return name.strip().strip('"').strip().lower().replace(" ", "_").replace("-", "_")


def _detect_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def decode(data: bytes) -> str | ParseResult:
    """The text of the file, or a :class:`ParseResult` with the file-level error."""
    if len(data) > MAX_BYTES:
        return _file_error(
            _(
                "The file is larger than %(limit)s MB. Split it into smaller files "
                "and upload them one by one."
            )
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _file_error(
            _(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” "
                "and upload it again."
            )
        )
    if not text.strip():
        return _file_error(_("The file is empty. Upload a CSV file with a header line and rows."))
    return text


def parse(data: bytes, *, specifications=None) -> ParseResult:
    """Read and check the whole file; see the module docstring.

    ``specifications`` maps a slug to a specification (for tests); by default they are looked up
    in the catalogue, once per slug.
    """
    text = decode(data)
    if isinstance(text, ParseResult):
        return text
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(first_line))
    try:
        lines = list(reader)
    except csv.Error as exc:
        return _file_error(
            _(
                "The file could not be read as CSV (%(error)s). "
                "Check the quotes and upload it again."
            )
            % {"error": exc}
        )
    # The header is the first non-empty line.
    start = 0
    while start < len(lines) and not any(cell.strip() for cell in lines[start]):
        start += 1
    header_row = start + 1
    header = [_normalise_header(cell) for cell in lines[start]]
    errors: list[RowError] = []
    for name in header:
        if name and name not in COLUMNS:
            errors.append(
                RowError(
                    header_row,
                    name,
                    _("“%(name)s” is not a known column. Use only these columns: %(columns)s.")
                    % {"name": name, "columns": ", ".join(COLUMNS)},
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.append(
                RowError(
                    header_row,
                    name,
                    _("The column “%(name)s” is missing. Add it to the header line.")
                    % {"name": name},
                )
            )
    seen = {name for name in header if name}
    if len(seen) != len([name for name in header if name]):
        errors.append(
            RowError(
                header_row, "", _("A column appears twice in the header line. Keep one of each.")
            )
        )
    if errors:
        return ParseResult(rows=[], errors=errors)

    data_lines = [
        (number, cells)
        for number, cells in enumerate(lines[start + 1 :], start=header_row + 1)
        if any(cell.strip() for cell in cells)
    ]
    if not data_lines:
        return _file_error(_("The file has a header line but no rows. Add one row per learner."))
    if len(data_lines) > MAX_ROWS:
        return _file_error(
            _(
                "The file has %(count)s rows; at most %(limit)s are allowed. "
                "Split it into smaller files."
            )
            % {"count": len(data_lines), "limit": MAX_ROWS}
        )

    lookup = _SpecificationLookup(specifications)
    rows: list[Row] = []
    first_seen: dict[str, int] = {}
    for number, cells in data_lines:
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            errors.append(
                RowError(
                    number,
                    "",
                    _(
                        "This row has %(count)s cells but the header has %(columns)s columns. "
                        "Remove the extra cells or put quotes around values that contain "
                        "the separator."
                    )
                    % {"count": len(cells), "columns": len(header)},
                )
            )
            continue
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        row, row_errors = _check_row(number, values, lookup)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.key in first_seen:
            errors.append(
                RowError(
                    number,
                    "email",
                    _(
                        "This row repeats row %(row)s (same learner, micro-credential and date). "
                        "Remove one of them."
                    )
                    % {"row": first_seen[row.key]},
                )
            )
            continue
        first_seen[row.key] = number
        rows.append(row)
    if errors:
        return ParseResult(rows=[], errors=errors)
    return ParseResult(rows=rows, errors=[])


class _SpecificationLookup:
    def __init__(self, given=None):
        self._cache = dict(given or {})

    def __call__(self, slug: str):
        if slug not in self._cache:
            self._cache[slug] = (
                Specification.objects.filter(slug=slug)
                .select_related("awarding_body")
                .prefetch_related("outcomes")
                .first()
            )
        return self._cache[slug]


def _check_row(number: int, values: dict[str, str], lookup) -> tuple[Row | None, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    email = values.get("email", "")
    if not email:
        error("email", _("Write the learner's e-mail address."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            error(
                "email",
                _("“%(value)s” is not an e-mail address. Correct it, for example ana@example.org.")
                % {"value": email},
            )
    full_name = values.get("full_name", "")
    if not full_name:
        error("full_name", _("Write the learner's full name."))
    elif len(full_name) > MAX_NAME:
        error(
            "full_name",
            _("The name is longer than %(limit)s characters. Shorten it.") % {"limit": MAX_NAME},
        )

    slug = values.get("specification", "")
    specification = None
    if not slug:
        error(
            "specification",
            _("Write the address (slug) of the micro-credential, as shown in the catalogue."),
        )
    else:
        specification = lookup(slug)
        if specification is None:
            error(
                "specification",
                _(
                    "There is no micro-credential with the address “%(slug)s”. "
                    "Copy the address from the catalogue."
                )
                % {"slug": slug},
            )
        elif not specification.is_published:
            error(
                "specification",
                _(
                    "The micro-credential “%(slug)s” is not published. "
                    "Publish it first, or use a published one."
                )
                % {"slug": slug},
            )
            specification = None
        elif specification.awarding_body_id is None:
            error(
                "specification",
                _(
                    "The micro-credential “%(slug)s” has no awarding body. "
                    "Set one in the specification first."
                )
                % {"slug": slug},
            )
            specification = None

    outcomes: list[int] = []
    raw_outcomes = values.get("recognised_outcomes", "")
    if raw_outcomes.strip().lower() not in ALL_OUTCOMES:
        text = raw_outcomes
        for separator in OUTCOME_SEPARATORS:
            text = text.replace(separator, " ")
        parts = text.split()
        bad = [part for part in parts if not part.isdigit()]
        if bad:
            error(
                "recognised_outcomes",
                _(
                    "“%(value)s” is not a list of outcome numbers. Write positions separated "
                    "by semicolons, for example 1;2;3, or “all”."
                )
                % {"value": raw_outcomes},
            )
        else:
            outcomes = sorted({int(part) for part in parts})
            if specification is not None:
                positions = {outcome.position for outcome in specification.outcomes.all()}
                missing = [n for n in outcomes if n not in positions]
                if missing:
                    error(
                        "recognised_outcomes",
                        _(
                            "The micro-credential “%(slug)s” has no learning outcome number "
                            "%(numbers)s; it has %(count)s. Use numbers from 1 to %(count)s."
                        )
                        % {
                            "slug": slug,
                            "numbers": ", ".join(str(n) for n in missing),
                            "count": len(positions),
                        },
                    )

    raw_date = values.get("assessed_on", "")
    assessed_on = None
    if not raw_date:
        error("assessed_on", _("Write the date of the assessment as YYYY-MM-DD."))
    else:
        try:
            assessed_on = date.fromisoformat(raw_date)
            if len(raw_date) != 10:
                raise ValueError
        except ValueError:
            assessed_on = None
            error(
                "assessed_on",
                _("“%(value)s” is not a date. Write it as YYYY-MM-DD, for example 2025-06-30.")
                % {"value": raw_date},
            )
        if assessed_on is not None and assessed_on > timezone.localdate():
            error(
                "assessed_on",
                _("The date %(value)s is in the future. Write the date the assessment took place.")
                % {"value": raw_date},
            )
    grade = values.get("grade", "")
    if len(grade) > MAX_GRADE:
        error(
            "grade",
            _("The grade is longer than %(limit)s characters. Shorten it.") % {"limit": MAX_GRADE},
        )
    if errors:
        return None, errors
    return (
        Row(
            row=number,
            email=email.lower(),
            full_name=full_name,
            specification=slug,
            outcomes=outcomes,
            assessed_on=assessed_on.isoformat(),
            grade=grade,
            key=row_key(email, slug, assessed_on.isoformat()),
        ),
        [],
    )
