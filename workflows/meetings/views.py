"""Pages for meetings (interviews, observations) and identity checks, for both sides.

Staff, holding the task (and having declared no conflict of interest): propose times, download
the agreed time as .ics, see the candidate's identity documents. The candidate, on their own
application: choose a time or ask for others, download the .ics, give or remove identity
documents, confirm their identity with an electronic ID. Thin: the work is in ``appointments``
and ``identity``. ``task_parts`` and ``timeline_parts`` give the task page and the candidate's
timeline what their includes show.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from evidence.models import Application
from evidence.portfolio import selectors as evidence_selectors
from evidence.snapshots import selectors as portfolio
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.identity import services as identity
from workflows.meetings import services as appointments
from workflows.meetings.forms import IdentityDocumentForm, ProposeTimesForm, TimeChoiceForm
from workflows.models import Appointment, Case, IdentityDocument
from workflows.work import declarations
from workflows.work import services as task_work
from workflows.work.duties import OPEN

candidate_only = role_required(Role.CANDIDATE)


# Context for the task page and the timeline ---------------------------------------------------


def _appointment_view(appointment) -> dict | None:
    if appointment is None:
        return None
    return {
        "object": appointment,
        "slots": appointments.slot_times(appointment),
        "ends_at": appointments.ends_at(appointment),
        "link": appointments.place_link(appointment),
        "confirmed": appointment.status == Appointment.Status.CONFIRMED,
    }


def task_parts(case, step, node, task) -> dict:
    """What ``_appointment.html`` and ``_identity.html`` show on the task page."""
    parts = {}
    if node in appointments.MEETING_NODES and appointments.is_meeting_step(step):
        parts["meeting"] = {
            "kind": step.kind,
            "appointment": _appointment_view(appointments.appointment_for(case, step.id)),
        }
    if node == "identity_check":
        documents = identity.documents_of(case)
        parts["identity"] = {
            "documents": documents,
            "live": [d for d in documents if d.deleted_at is None],
            "images": identity.IMAGE_TYPES,
            "assertion": identity.assertion_of(case),
            "method": identity.METHOD_LABELS[step.method],
        }
    return parts


def timeline_parts(case) -> dict:
    """What the candidate's timeline shows and offers for the current step."""
    if case is None:
        return {}
    step = case.current_step
    parts = {}
    if appointments.is_meeting_step(step) and case.status == PROCESS.NEW:
        appointment = appointments.appointment_for(case, step.id)
        parts["meeting"] = {
            "kind": step.kind,
            "appointment": _appointment_view(appointment),
            "form": TimeChoiceForm(appointment=appointment)
            if appointment and appointment.status == Appointment.Status.PROPOSED
            else None,
        }
    accepts_documents = identity.accepts_documents(case)
    adapters = list(identity.adapters().values()) if identity.accepts_eid(case) else []
    if accepts_documents or adapters:
        documents = identity.live_documents(case)
        parts["identity"] = {
            "documents": documents,
            "accepts_documents": accepts_documents,
            "room": identity.MAX_DOCUMENTS - len(documents),
            "form": IdentityDocumentForm(),
            "max_mb": identity.max_document_bytes() // (1024 * 1024),
            "adapters": adapters,
            "assertion": identity.assertion_of(case),
        }
    return parts


# Staff -----------------------------------------------------------------------------------------


def _held_task(request, process_pk, task_pk, nodes) -> Task:
    """The task, if the user holds it open and has declared no conflict of interest."""
    task = task_work.case_task(task_pk, process_pk)
    if task.flow_task.name not in nodes:
        raise Http404
    if task.owner_id != request.user.pk or task.status not in OPEN:
        raise PermissionDenied
    if not declarations.has_declared(task.coerced_process, request.user):
        raise PermissionDenied
    return task


def _meeting_step(task):
    case = Case.objects.get(pk=task.process_id)
    step = case.current_step
    if not appointments.is_meeting_step(step) or (task.data or {}).get("step") != step.id:
        raise Http404
    return case, step


@require_http_methods(["GET", "POST"])
@role_required(Role.ASSESSOR, Role.IDENTITY_OFFICER)
def propose(request, process_pk, task_pk):
    task = _held_task(request, process_pk, task_pk, appointments.MEETING_NODES)
    case, step = _meeting_step(task)
    current = appointments.appointment_for(case, step.id)
    initial = (
        {"duration_minutes": current.duration_minutes, "place": current.place} if current else {}
    )
    form = ProposeTimesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.propose(
                case,
                step,
                actor=request.user,
                slots=form.slots,
                duration_minutes=form.cleaned_data["duration_minutes"],
                place=form.cleaned_data["place"],
            )
        except appointments.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The times are proposed; the candidate is e-mailed."))
            return redirect("work_task", process_pk=process_pk, task_pk=task_pk)
    return render(
        request,
        "workflows/appointment_form.html",
        {
            "case": case,
            "step": step,
            "task": task,
            "form": form,
            "appointment": _appointment_view(current),
        },
        status=400 if request.method == "POST" else 200,
    )


def _calendar(appointment) -> HttpResponse:
    if appointment is None or appointment.status != Appointment.Status.CONFIRMED:
        raise Http404
    calendar = appointments.ics(appointment)
    response = HttpResponse(calendar.content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename}"'
    return response


@never_cache
@require_GET
@role_required(Role.ASSESSOR, Role.IDENTITY_OFFICER)
def staff_calendar(request, process_pk, task_pk):
    task = _held_task(request, process_pk, task_pk, appointments.MEETING_NODES)
    case, step = _meeting_step(task)
    return _calendar(appointments.appointment_for(case, step.id))


@never_cache
@require_GET
@role_required(Role.IDENTITY_OFFICER)
def identity_document(request, process_pk, task_pk, document_pk):
    """A document, to the identity officer holding the check. ``?preview`` shows it inline
    (framed by our own pages only); otherwise it is an attachment."""
    task = _held_task(request, process_pk, task_pk, {"identity_check"})
    document = get_object_or_404(
        IdentityDocument, pk=document_pk, case_id=task.process_id, deleted_at__isnull=True
    )
    if not document.storage_name:
        raise Http404
    return portfolio.file_response(document, preview="preview" in request.GET)


# The candidate ---------------------------------------------------------------------------------


def _own_case(request, pk) -> tuple[Application, Case]:
    try:
        application = evidence_selectors.application_of(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    case = Case.objects.filter(application=application).first()
    if case is None:
        raise Http404
    return application, case


def _current_appointment(case) -> Appointment:
    step = case.current_step
    appointment = (
        appointments.appointment_for(case, step.id) if appointments.is_meeting_step(step) else None
    )
    if appointment is None:
        raise Http404
    return appointment


@require_http_methods(["GET", "POST"])
@candidate_only
def choose_time(request, pk):
    application, case = _own_case(request, pk)
    appointment = _current_appointment(case)
    form = TimeChoiceForm(request.POST or None, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        try:
            if form.asks_other_times:
                appointments.ask_other_times(
                    appointment, actor=request.user, note=form.cleaned_data["note"]
                )
                done = _("Your request for other times is sent to the assessor.")
            else:
                appointment = appointments.choose(
                    appointment, actor=request.user, index=int(form.cleaned_data["choice"])
                )
                done = _("The time is agreed. You can add it to your calendar.")
        except appointments.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("case_timeline", pk=application.pk)
    return render(
        request,
        "workflows/appointment.html",
        {
            "application": application,
            "meeting": {
                "kind": case.current_step.kind,
                "appointment": _appointment_view(appointment),
                "form": form if appointment.status == Appointment.Status.PROPOSED else None,
            },
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
@candidate_only
def candidate_calendar(request, pk):
    _application, case = _own_case(request, pk)
    return _calendar(_current_appointment(case))


@require_http_methods(["GET", "POST"])
@candidate_only
def identity_documents(request, pk):
    """Give one or two files of an identity document (the timeline shows the same form)."""
    application, case = _own_case(request, pk)
    if not identity.accepts_documents(case):
        raise Http404
    refused = []
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            refused.append(_("Choose a photo or scan of your identity document."))
        elif len(files) > identity.MAX_DOCUMENTS:
            refused.append(_("Give at most two files: for example the front and the back."))
            files = []
        added, refusals = identity.add_documents(case, actor=request.user, uploads=files)
        refused += refusals
        if added:
            messages.success(
                request,
                _(
                    "Your identity document is with the identity officer. It is deleted once the "
                    "check is recorded."
                ),
            )
        if not refused:
            return redirect("case_timeline", pk=application.pk)
    return render(
        request,
        "workflows/identity_documents.html",
        {
            "application": application,
            "identity": timeline_parts(case).get("identity"),
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@require_POST
@candidate_only
def remove_identity_document(request, pk, document_pk):
    application, case = _own_case(request, pk)
    document = get_object_or_404(
        IdentityDocument, pk=document_pk, case=case, deleted_at__isnull=True
    )
    try:
        identity.remove_document(document, actor=request.user)
    except identity.IdentityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” is deleted.") % {"name": document.display_name})
    return redirect("case_timeline", pk=application.pk)


PENDING_EID = "rpl.identity.pending"


@require_GET
@candidate_only
def eid_start(request, pk, key):
    application, case = _own_case(request, pk)
    adapter = identity.adapter(key)
    if adapter is None or not identity.accepts_eid(case):
        raise Http404
    try:
        response = adapter.start(request, case)
    except identity.IdentityError as error:
        messages.error(request, str(error))
        return redirect("case_timeline", pk=application.pk)
    request.session[PENDING_EID] = {"application": application.pk, "adapter": key}
    return response


@require_GET
@candidate_only
def eid_callback(request, key):
    pending = request.session.pop(PENDING_EID, None)
    adapter = identity.adapter(key)
    if pending is None or adapter is None or pending.get("adapter") != key:
        raise Http404
    application, case = _own_case(request, pending["application"])
    try:
        assertion = adapter.complete(request, case)
        identity.record_assertion(case, assertion, actor=request.user)
    except identity.IdentityError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your identity is confirmed by %(method)s; the identity officer sees it.")
            % {"method": assertion.method_label},
        )
    return redirect("case_timeline", pk=application.pk)
