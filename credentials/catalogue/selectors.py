"""Reads of the catalogue. Other apps use these, not the models' managers directly."""

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credentials.catalogue.models import LearningOutcome, Organisation, Specification, search_key
from credentials.catalogue.vocabularies import Stackability, Status
from rpl.bilingual import LANGUAGES, current_language


def _ordered_by_title(queryset: QuerySet) -> QuerySet:
    first = current_language()
    other = next(code for code in LANGUAGES if code != first)
    return queryset.order_by(f"title_{first}", f"title_{other}", "pk")


def _with_outcomes(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("awarding_body").prefetch_related(
        Prefetch("outcomes", queryset=LearningOutcome.objects.order_by("position"))
    )


def published_specifications() -> QuerySet[Specification]:
    """Published specifications with their awarding body, ordered by title."""
    return _ordered_by_title(
        Specification.objects.filter(status=Status.PUBLISHED).select_related("awarding_body")
    )


def search_catalogue(
    *, query: str = "", eqf_level: int | None = None, field_of_study: str = ""
) -> QuerySet[Specification]:
    """Published specifications matching every word of ``query`` in the title or description
    (either language, ignoring case and Polish diacritics), at ``eqf_level`` and in
    ``field_of_study`` (an ISCED-F code) when given. Each carries ``outcome_count``."""
    specs = published_specifications().annotate(outcome_count=Count("outcomes"))
    for word in search_key(query or "").split():
        specs = specs.filter(search_text__contains=word)
    if eqf_level:
        specs = specs.filter(eqf_level=eqf_level)
    if field_of_study:
        specs = specs.filter(field_of_study=field_of_study)
    return specs


def catalogue_stamp() -> str:
    """A value that changes whenever anything the public catalogue shows may change: a
    specification saved (its outcomes too: saving them saves it), published, retired, added or
    deleted, opened or closed for applications, or an awarding body saved. It keys the cached
    catalogue pages, so every process sees a change at once, whatever cache it has. Plain SQL:
    the ORM takes longer to build this query than the database takes to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        return "/".join(str(value) for value in cursor.fetchone())


# Opening or closing a specification saves no timestamp: the sums of the open ones' keys and of
# their squares change with that set (together they tell {a, c} from any other {b, d}).
_STAMP_SQL = """
SELECT COUNT(*), SUM(s.id), MAX(s.updated_at), MAX(o.updated_at),
       SUM(CASE WHEN s.assessment_ready THEN s.id END),
       SUM(CASE WHEN s.assessment_ready THEN s.id * s.id END)
FROM credentials_specification s
LEFT JOIN credentials_organisation o ON o.id = s.awarding_body_id
"""


def get_published_specification(*, slug: str | None = None, pk: int | None = None):
    """One published specification with its awarding body and its outcomes (in order) prefetched.

    Raises ``Specification.DoesNotExist`` when there is none, or it is a draft or retired."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    return _with_outcomes(Specification.objects.filter(status=Status.PUBLISHED)).get(**lookup)


def get_specification(*, slug: str | None = None, pk: int | None = None) -> Specification:
    """One specification in any status (for administrators' previews and for issuing records
    made while it was published), with awarding body and ordered outcomes prefetched."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    return _with_outcomes(Specification.objects.all()).get(**lookup)


def outcomes_of(specification: Specification) -> list[LearningOutcome]:
    """The specification's learning outcomes in order (uses the prefetch when there is one)."""
    return sorted(specification.outcomes.all(), key=lambda outcome: outcome.position)


def all_specifications() -> QuerySet[Specification]:
    """Every specification, for administrators, with its outcome count."""
    return _ordered_by_title(
        Specification.objects.select_related("awarding_body").annotate(
            outcome_count=Count("outcomes")
        )
    )


def all_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(specification_count=Count("specifications")).order_by(
        "name_en", "name_pl", "pk"
    )


def publication_problems(specification: Specification) -> list[str]:
    """What stops the specification being published, in words for the administrator (in the
    active language); empty when every mandatory EU element is filled in, in both languages where
    it is text, and the specification has at least one complete learning outcome."""
    problems: list[str] = []

    def require_both(obj, name: str, label: str) -> None:
        missing = [code for code in LANGUAGES if not getattr(obj, f"{name}_{code}").strip()]
        if len(missing) == len(LANGUAGES):
            problems.append(_("%(element)s: missing.") % {"element": label})
        elif missing:
            problems.append(_(_MISSING_IN[missing[0]]) % {"element": label})

    def require_pair(obj, name: str, label: str) -> None:
        missing = [code for code in LANGUAGES if not getattr(obj, f"{name}_{code}").strip()]
        if len(missing) == 1:
            problems.append(_(_MISSING_IN[missing[0]]) % {"element": label})

    require_both(specification, "title", _("Title"))
    require_both(specification, "description", _("Description"))
    if not specification.field_of_study:
        problems.append(_("Field of study: choose one."))
    if not specification.eqf_level:
        problems.append(_("EQF level: choose one."))
    if specification.workload_ects is None and not specification.workload_hours:
        problems.append(_("Notional workload: give it in ECTS credits, hours or both."))
    if specification.awarding_body_id is None:
        problems.append(_("Awarding body: choose one."))
    if not specification.assessment_type:
        problems.append(_("Type of assessment: choose one."))
    if not specification.participation_form:
        problems.append(_("Form of participation: choose one."))
    if not specification.quality_assurance:
        problems.append(_("Type of quality assurance: choose one."))
    require_pair(specification, "prerequisites", _("Prerequisites"))
    require_pair(specification, "further_information", _("Further information"))
    if specification.stackability == Stackability.STACKABLE:
        require_both(specification, "stackable_towards", _("Credential it stacks towards"))

    outcomes = outcomes_of(specification) if specification.pk else []
    if not outcomes:
        problems.append(_("Learning outcomes: add at least one."))
    for outcome in outcomes:
        n = outcome.position
        require_both(outcome, "statement", _("Learning outcome %(n)s") % {"n": n})
        require_both(
            outcome, "criteria", _("Assessment criteria of learning outcome %(n)s") % {"n": n}
        )
    return problems


# Marked for translation here and translated when used, in the reader's language.
_MISSING_IN = {
    "pl": gettext_noop("%(element)s: missing in Polish."),
    "en": gettext_noop("%(element)s: missing in English."),
}
