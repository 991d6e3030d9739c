from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from credentials.catalogue.models import Specification
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.cases import services as case_services
from workflows.models import SpecificationPipeline
from workflows.setup import services as pool_services
from workflows.setup.forms import POOLS, AssessmentSetupForm


@role_required(Role.ADMINISTRATOR)
def setup_list(request):
    specifications = list(Specification.objects.order_by("title_en", "pk"))
    links = dict(SpecificationPipeline.objects.values_list("specification_id", "pipeline__key"))
    rows = [(spec, links.get(spec.pk)) for spec in specifications]
    return render(request, "workflows/setup_list.html", {"rows": rows})


@role_required(Role.ADMINISTRATOR)
def setup_edit(request, pk):
    specification = get_object_or_404(Specification, pk=pk)
    members = pool_services.pool_members(specification)
    initial = {"pipeline": case_services.pipeline_for(specification), **members}
    form = AssessmentSetupForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        pool_services.set_up(
            actor=request.user,
            specification=specification,
            pipeline=form.cleaned_data["pipeline"],
            pools={name: set(form.cleaned_data[name]) for name in POOLS},
        )
        messages.success(request, _("The assessment set-up is saved."))
        return redirect("assessment_setup_list")
    return render(
        request,
        "workflows/setup_edit.html",
        {"form": form, "specification": specification},
        status=400 if request.method == "POST" else 200,
    )
