"""Catalogue pages: the public catalogue (no log-in) and the administrators' editing pages."""

import copy
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credentials.catalogue import selectors, services
from credentials.catalogue.forms import (
    CatalogueSearchForm,
    OrganisationForm,
    SpecificationForm,
    outcome_formset,
)
from credentials.catalogue.models import Organisation, Specification
from credentials.catalogue.signals import describing_assessment
from credentials.catalogue.vocabularies import Status
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role

PAGE_SIZE = 20
OUTCOME_PREFIX = "outcomes"


def _can_manage(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


# Public catalogue ------------------------------------------------------------------------------


def catalogue(request):
    @functools.cache
    def search() -> dict:
        form = CatalogueSearchForm(request.GET)
        filters = form.filters()
        specifications = selectors.search_catalogue(**filters)
        page = Paginator(specifications, PAGE_SIZE).get_page(request.GET.get("page"))
        return {"form": form, "page_obj": page, "filtered": any(filters.values())}

    # The search runs only when the page is not cached under the current stamp.
    found = {
        name: SimpleLazyObject(lambda name=name: search()[name])
        for name in ("form", "page_obj", "filtered")
    }
    return render(
        request,
        "credentials/catalogue.html",
        {
            **found,
            "catalogue_stamp": selectors.catalogue_stamp(),
            "can_manage": _can_manage(request.user),
            "nav": "catalogue",
        },
    )


def detail(request, slug):
    can_manage = _can_manage(request.user)
    try:
        if can_manage:
            specification = selectors.get_specification(slug=slug)
        else:
            specification = selectors.get_published_specification(slug=slug)
    except Specification.DoesNotExist:
        raise Http404(_("There is no published micro-credential at this address.")) from None
    return render(
        request,
        "credentials/detail.html",
        {
            "spec": specification,
            "outcomes": selectors.outcomes_of(specification),
            "assessment": _assessment_in_words(specification),
            "can_manage": can_manage,
            "nav": "catalogue",
        },
    )


def _assessment_in_words(specification) -> list:
    """How the specification is assessed, step by step, as the apps that assess it describe it."""
    replies = describing_assessment.send(sender=Specification, specification=specification)
    return [step for _receiver, steps in replies for step in steps]


# Administrators: specifications ----------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
def manage(request):
    return render(
        request,
        "credentials/manage/list.html",
        {"specifications": selectors.all_specifications(), "can_manage": True, "nav": "manage"},
    )


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _slug_taken(form) -> None:
    form.add_error(
        "slug", _("Another specification already uses this address. Choose another one.")
    )


@role_required(Role.ADMINISTRATOR)
def specification_create(request):
    Formset = outcome_formset(extra=3)
    blank = Specification()
    form = SpecificationForm(request.POST or None, instance=blank)
    formset = Formset(request.POST or None, instance=blank, prefix=OUTCOME_PREFIX)
    refusal: services.CatalogueError | None = None
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            specification = services.create_specification(
                actor=request.user,
                fields=form.specification_fields(),
                outcomes=formset.outcome_data(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except IntegrityError:
            _slug_taken(form)
        except services.CatalogueError as error:
            refusal = error
        else:
            messages.success(
                request,
                _("The draft “%(title)s” is saved. Check it, then publish it when it is ready.")
                % {"title": specification.title},
            )
            return redirect("credentials:edit", pk=specification.pk)
    return render(
        request,
        "credentials/manage/specification_form.html",
        {
            "form": form,
            "formset": formset,
            "refusal": refusal,
            "can_manage": True,
            "nav": "manage",
        },
    )


@role_required(Role.ADMINISTRATOR)
def specification_edit(request, pk):
    specification = get_object_or_404(Specification, pk=pk)
    Formset = outcome_formset(extra=2 if specification.outcomes.exists() else 3)
    # The form validates a copy, so the page heading keeps the saved title if it is invalid.
    form = SpecificationForm(request.POST or None, instance=copy.copy(specification))
    formset = Formset(request.POST or None, instance=specification, prefix=OUTCOME_PREFIX)
    refusal: services.CatalogueError | None = None
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            saved = services.update_specification(
                specification,
                actor=request.user,
                fields=form.specification_fields(),
                outcomes=formset.outcome_data(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except IntegrityError:
            _slug_taken(form)
        except services.ContradictsAssessment as error:
            for found in error.contradictions:
                form.add_error(
                    found.element if found.element in form.fields else None, found.message
                )
        except services.CatalogueError as error:
            refusal = error
        else:
            if saved.version != specification.version:
                messages.success(
                    request,
                    _("“%(title)s” is saved as version %(version)s.")
                    % {"title": saved.title, "version": saved.version},
                )
            else:
                messages.info(request, _("Nothing changed, so nothing was saved."))
            return redirect("credentials:edit", pk=saved.pk)
    checklist = (
        selectors.publication_problems(specification)
        if specification.status != Status.PUBLISHED
        else []
    )
    return render(
        request,
        "credentials/manage/specification_form.html",
        {
            "spec": specification,
            "form": form,
            "formset": formset,
            "refusal": refusal,
            "checklist": checklist,
            "can_manage": True,
            "nav": "manage",
        },
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def specification_publish(request, pk):
    specification = get_object_or_404(Specification, pk=pk)
    try:
        services.publish_specification(specification, actor=request.user)
    except services.CatalogueError as error:
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("“%(title)s” is published in the catalogue.") % {"title": specification.title},
        )
    return redirect("credentials:edit", pk=specification.pk)


@role_required(Role.ADMINISTRATOR)
@require_POST
def specification_retire(request, pk):
    specification = get_object_or_404(Specification, pk=pk)
    try:
        services.retire_specification(specification, actor=request.user)
    except services.CatalogueError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(title)s” is retired: it is no longer in the public catalogue.")
            % {"title": specification.title},
        )
    return redirect("credentials:edit", pk=specification.pk)


# Administrators: organisations -----------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
def organisations(request):
    return render(
        request,
        "credentials/manage/organisations.html",
        {"organisations": selectors.all_organisations(), "can_manage": True, "nav": "manage"},
    )


@role_required(Role.ADMINISTRATOR)
def organisation_create(request):
    return _organisation_form(request, None)


@role_required(Role.ADMINISTRATOR)
def organisation_edit(request, pk):
    return _organisation_form(request, get_object_or_404(Organisation, pk=pk))


def _organisation_form(request, organisation: Organisation | None):
    instance = copy.copy(organisation) if organisation else Organisation()
    form = OrganisationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.ORGANISATION_FIELDS}
        try:
            if organisation is None:
                saved = services.create_organisation(actor=request.user, **fields)
            else:
                saved = services.update_organisation(organisation, actor=request.user, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("credentials:organisations")
    return render(
        request,
        "credentials/manage/organisation_form.html",
        {"organisation": organisation, "form": form, "can_manage": True, "nav": "manage"},
    )
