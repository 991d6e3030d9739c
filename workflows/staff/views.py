"""Administrators' pages about people: the list, invitations, roles, deactivation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.staff import selectors, services
from workflows.staff.forms import InviteForm, PeopleFilterForm, RolesForm

PAGE_SIZE = 25


def _person(pk):
    return get_object_or_404(get_user_model(), pk=pk)


@role_required(Role.ADMINISTRATOR)
def people(request):
    form = PeopleFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.people(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/staff_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": selectors.rows(page.object_list),
            "filtered": any(filters.values()),
        },
    )


@role_required(Role.ADMINISTRATOR)
def invite(request):
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.invite(actor=request.user, **form.cleaned_data)
        except services.StaffError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("The account is open and the invitation is on its way to %(email)s.")
                % {"email": person.email},
            )
            return redirect("staff:person", pk=person.pk)
    return render(
        request,
        "workflows/staff_invite.html",
        {"form": form, "invitation_days": settings.INVITATION_DAYS},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMINISTRATOR)
def person(request, pk):
    person = _person(pk)
    form = RolesForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_roles(
                actor=request.user, person=person, roles=form.cleaned_data["roles"]
            )
        except services.StaffError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The roles are saved."))
            return redirect("staff:person", pk=pk)
    return render(
        request,
        "workflows/staff_person.html",
        {
            "row": selectors.rows([person])[0],
            "form": form,
            "roles_refusal": services.roles_refusal(request.user, person, person.roles),
            "deactivation_refusal": services.deactivation_refusal(request.user, person),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def resend_invitation(request, pk):
    person = _person(pk)
    try:
        services.resend_invitation(actor=request.user, person=person)
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s; the earlier links no longer work.")
            % {"email": person.email},
        )
    return redirect("staff:person", pk=pk)


@role_required(Role.ADMINISTRATOR)
def deactivate(request, pk):
    person = _person(pk)
    refusal = services.deactivation_refusal(request.user, person)
    if refusal:
        messages.error(request, refusal)
        return redirect("staff:person", pk=pk)
    if request.method == "POST":
        try:
            returned = services.deactivate(actor=request.user, person=person)
        except services.StaffError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The account is deactivated; %(count)d task went back to its pool.",
                    "The account is deactivated; %(count)d tasks went back to their pools.",
                    returned,
                )
                % {"count": returned},
            )
        return redirect("staff:person", pk=pk)
    return render(
        request,
        "workflows/staff_deactivate.html",
        {"person": person, "tasks": selectors.held_tasks(person)},
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def reactivate(request, pk):
    person = _person(pk)
    try:
        services.reactivate(actor=request.user, person=person)
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The account is active again: the person can log in."))
    return redirect("staff:person", pk=pk)
