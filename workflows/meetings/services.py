"""Interviews, observations and video identity checks: agreeing a time with the candidate.

Services (in transactions, audited; whoever acts next is e-mailed a link once the change commits):
``propose(case, step, *, actor, slots, duration_minutes, place)`` by a holder of one of the step's
tasks (with two assessors, one appointment serves both), ``choose(appointment, *,
actor, index)`` and ``ask_other_times(appointment, *, actor, note)`` by the candidate.
Selectors: ``appointment_for(case, step_id)``, ``step_holders(case, step_id)``,
``score_refusal(case, step, node)`` (why a score sheet is not accepted yet), ``ics(appointment)``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.site import absolute
from workflows import notifications
from workflows.models import Appointment
from workflows.pipelines.schema import IdentityMethod, StepKind
from workflows.work.duties import ASSESS_NODES, OPEN

MEETING_KINDS = frozenset({StepKind.INTERVIEW, StepKind.OBSERVATION})
# The tasks whose holder agrees the time: the assessors of a meeting step, the identity officer
# of a video identity check.
MEETING_NODES = ASSESS_NODES | {"identity_check"}
MAX_SLOTS = 3
MIN_DURATION, MAX_DURATION = 15, 480
HORIZON = timedelta(days=365)


class SchedulingError(Exception):
    """A scheduling request refused, with a message for the person who made it."""


def is_meeting_step(step) -> bool:
    if step is None:
        return False
    if step.kind == StepKind.IDENTITY_CHECK:
        return step.method == IdentityMethod.VIDEO
    return step.kind in MEETING_KINDS


def appointment_for(case, step_id) -> Appointment | None:
    return Appointment.objects.filter(case=case, step_id=step_id).first()


def step_holders(case, step_id) -> list[Task]:
    """The open tasks of a step that someone holds (its assessors, or its identity officer)."""
    tasks = Task.objects.filter(process=case, owner__isnull=False, status__in=OPEN).select_related(
        "owner"
    )
    return [
        task
        for task in tasks
        if task.flow_task.name in MEETING_NODES and (task.data or {}).get("step") == step_id
    ]


def holds_step(user, case, step) -> bool:
    return is_meeting_step(step) and any(
        task.owner_id == user.pk for task in step_holders(case, step.id)
    )


def slot_times(appointment) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in appointment.slots]


def ends_at(appointment) -> datetime | None:
    if appointment.starts_at is None:
        return None
    return appointment.starts_at + timedelta(minutes=appointment.duration_minutes)


def place_link(appointment) -> str:
    """The place when it is a web address (a meeting link), else an empty string."""
    place = appointment.place.strip()
    return place if place.lower().startswith(("https://", "http://")) else ""


def score_refusal(case, step, node) -> str | None:
    """Why the record of a meeting step (an interview's or observation's score sheet, a video
    identity check) is not accepted yet."""
    if node not in MEETING_NODES or not is_meeting_step(step):
        return None
    appointment = appointment_for(case, step.id)
    if appointment is None:
        return _(
            "Agree a time with the candidate first: propose times under “Meeting with the "
            "candidate”. Scores are accepted once the meeting has taken place."
        )
    if appointment.status != Appointment.Status.CONFIRMED:
        return _(
            "The candidate has not confirmed a time yet. Scores are accepted once the meeting "
            "has taken place."
        )
    if appointment.starts_at > timezone.now():
        return _("The meeting starts on %(time)s. Record the scores once it has taken place.") % {
            "time": when(appointment.starts_at)
        }
    return None


def when(moment: datetime) -> str:
    """A moment as people read it: local time, in the active language."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def validate_slots(slots) -> list[datetime]:
    """One to three distinct times, each in the future and within a year; sorted."""
    now = timezone.now()
    slots = sorted({slot.astimezone(UTC) for slot in slots if slot is not None})
    if not slots:
        raise SchedulingError(_("Propose at least one time."))
    if len(slots) > MAX_SLOTS:
        raise SchedulingError(_("Propose at most three times."))
    for slot in slots:
        if slot <= now:
            raise SchedulingError(
                _("%(time)s has already passed: propose times in the future.")
                % {"time": when(slot)}
            )
        if slot > now + HORIZON:
            raise SchedulingError(
                _("%(time)s is more than a year away: propose a nearer time.")
                % {"time": when(slot)}
            )
    return slots


def _locked(case):
    return case.flow_class.lock(case.pk)


def propose(case, step, *, actor, slots, duration_minutes: int, place: str) -> Appointment:
    """Propose times (again, replacing any earlier proposal or agreed time)."""
    slots = validate_slots(slots)
    place = " ".join(place.split())
    if not place:
        raise SchedulingError(_("Say where the meeting takes place, or give the meeting link."))
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise SchedulingError(
            _("A meeting lasts between %(min)s and %(max)s minutes.")
            % {"min": MIN_DURATION, "max": MAX_DURATION}
        )
    with transaction.atomic(), _locked(case):
        case.refresh_from_db()
        if case.status != PROCESS.NEW or case.current_step is None:
            raise SchedulingError(_("This case is no longer open."))
        if case.current_step.id != step.id or not holds_step(actor, case, step):
            raise SchedulingError(_("Only a person holding this step's task may propose times."))
        values = {
            "proposed_by": actor,
            "slots": [slot.isoformat() for slot in slots],
            "duration_minutes": duration_minutes,
            "place": place,
            "starts_at": None,
            "status": Appointment.Status.PROPOSED,
            "candidate_note": "",
            "updated_at": timezone.now(),
        }
        appointment, _created = Appointment.objects.update_or_create(
            case=case, step_id=step.id, defaults=values
        )
        audit.record(
            actor=actor,
            action="case.appointment_proposed",
            target=case,
            changes={
                "step": step.id,
                "slots": values["slots"],
                "duration_minutes": duration_minutes,
                "place": place,
            },
        )
        transaction.on_commit(lambda: _tell_candidate(appointment))
    return appointment


def _candidate_appointment(appointment, actor) -> Appointment:
    """The appointment locked and re-read, if ``actor`` is its candidate and its step is on."""
    case = appointment.case
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    case.refresh_from_db()
    if case.candidate_id != actor.pk:
        raise SchedulingError(_("Only the candidate answers a proposal of times."))
    if (
        case.status != PROCESS.NEW
        or case.current_step is None
        or case.current_step.id != appointment.step_id
    ):
        raise SchedulingError(_("This step of your case is over."))
    return appointment


def choose(appointment, *, actor, index: int) -> Appointment:
    with transaction.atomic(), _locked(appointment.case):
        appointment = _candidate_appointment(appointment, actor)
        if appointment.status != Appointment.Status.PROPOSED:
            raise SchedulingError(_("There is no proposal of times to answer."))
        slots = slot_times(appointment)
        if not 0 <= index < len(slots):
            raise SchedulingError(_("Choose one of the proposed times."))
        if slots[index] <= timezone.now():
            raise SchedulingError(
                _("That time has already passed: choose another or ask for other times.")
            )
        appointment.starts_at = slots[index]
        appointment.status = Appointment.Status.CONFIRMED
        appointment.candidate_note = ""
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["starts_at", "status", "candidate_note", "updated_at"])
        audit.record(
            actor=actor,
            action="case.appointment_confirmed",
            target=appointment.case,
            changes={"step": appointment.step_id, "starts_at": slots[index].isoformat()},
        )
        transaction.on_commit(lambda: _tell_assessors(appointment))
    return appointment


def ask_other_times(appointment, *, actor, note: str) -> Appointment:
    note = note.strip()
    if not note:
        raise SchedulingError(_("Say which days and times suit you."))
    with transaction.atomic(), _locked(appointment.case):
        appointment = _candidate_appointment(appointment, actor)
        if appointment.status == Appointment.Status.NEW_TIMES_ASKED:
            raise SchedulingError(_("You have already asked for other times."))
        if appointment.starts_at and appointment.starts_at <= timezone.now():
            raise SchedulingError(_("The meeting has already started."))
        appointment.status = Appointment.Status.NEW_TIMES_ASKED
        appointment.starts_at = None
        appointment.candidate_note = note
        appointment.updated_at = timezone.now()
        appointment.save(update_fields=["starts_at", "status", "candidate_note", "updated_at"])
        audit.record(
            actor=actor,
            action="case.appointment_new_times_asked",
            target=appointment.case,
            changes={"step": appointment.step_id, "note": note},
        )
        transaction.on_commit(lambda: _tell_assessors(appointment))
    return appointment


# E-mails -------------------------------------------------------------------------------------


def _kind_label(appointment) -> str:
    step = appointment.case.plan_model.step(appointment.step_id)
    if step.kind == StepKind.IDENTITY_CHECK:
        return _("video identity check")
    return _("interview") if step.kind == StepKind.INTERVIEW else _("observation")


def _tell_candidate(appointment) -> None:
    case = appointment.case
    link = notifications.case_link(case)

    def compose(reader):
        values = {
            "candidate": reader.get_short_name(),
            "credential": case.specification.title,
            "kind": _kind_label(appointment),
            "minutes": appointment.duration_minutes,
            "place": appointment.place,
            "times": "\n".join(f"- {when(slot)}" for slot in slot_times(appointment)),
            "link": link,
        }
        subject = _("Choose a time for your %(kind)s") % values
        body = (
            _(
                "Hello %(candidate)s,\n\nFor your application for “%(credential)s”, these "
                "times are proposed for the %(kind)s (%(minutes)s minutes, %(place)s):\n"
                "%(times)s\n\nChoose one, or ask for other times, here: %(link)s"
            )
            % values
        )
        return subject, body

    tell([case.candidate], compose)


def _tell_assessors(appointment) -> None:
    case = appointment.case

    def compose(reader):
        if appointment.status == Appointment.Status.CONFIRMED:
            subject = _("Case %(case)s: the candidate chose %(time)s") % {
                "case": case.pk,
                "time": when(appointment.starts_at),
            }
            news = _("The candidate chose %(time)s for the %(kind)s (%(place)s).") % {
                "time": when(appointment.starts_at),
                "kind": _kind_label(appointment),
                "place": appointment.place,
            }
        else:
            subject = _("Case %(case)s: the candidate asks for other times") % {"case": case.pk}
            news = _("The candidate asks for other times for the %(kind)s:\n%(note)s") % {
                "kind": _kind_label(appointment),
                "note": appointment.candidate_note,
            }
        link = absolute(reverse("work_task", args=[case.pk, tasks[reader.pk].pk]))
        body = _("Hello %(name)s,\n\n%(news)s\n\nThe task: %(link)s") % {
            "name": reader.get_short_name(),
            "news": news,
            "link": link,
        }
        return subject, body

    tasks = {task.owner_id: task for task in step_holders(case, appointment.step_id)}
    tell([task.owner for task in tasks.values()], compose)


# iCalendar -----------------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 folding: lines of at most 75 octets, continued with CRLF and a space."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class CalendarFile:
    filename: str
    content: str


def ics(appointment) -> CalendarFile:
    """A one-event iCalendar file for the agreed time."""
    case = appointment.case
    summary = _("%(kind)s: %(credential)s") % {
        "kind": _kind_label(appointment).capitalize(),
        "credential": case.specification.title,
    }
    host = urlsplit(absolute()).netloc or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//RPL//Recognition of prior learning//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{host}",
        f"SEQUENCE:{int(appointment.updated_at.timestamp())}",
        f"DTSTAMP:{_stamp(appointment.updated_at)}",
        f"DTSTART:{_stamp(appointment.starts_at)}",
        f"DTEND:{_stamp(ends_at(appointment))}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(appointment.place)}",
        f"DESCRIPTION:{_ics_text(_('Case %(case)s') % {'case': case.pk})}",
    ]
    if place_link(appointment):
        lines.append(f"URL:{place_link(appointment)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return CalendarFile(
        filename=f"{_kind_label(appointment)}-{case.pk}.ics",
        content="\r\n".join(_fold(line) for line in lines) + "\r\n",
    )
