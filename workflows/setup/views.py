from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from credentials.catalogue.models import Specification
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.cases import services as case_services
from workflows.models import SpecificationPipeline
from workflows.setup import services as pool_services
from workflows.setup.forms import POOLS, AssessmentSetupForm, named_field
from workflows.staffing import selectors as staffing


@role_required(Role.ADMINISTRATOR)
def setup_list(request):
    specifications = list(Specification.objects.order_by("title_en", "pk"))
    links = dict(SpecificationPipeline.objects.values_list("specification_id", "pipeline__key"))
    rows = [(spec, links.get(spec.pk)) for spec in specifications]
    return render(request, "workflows/setup_list.html", {"rows": rows})


@role_required(Role.ADMINISTRATOR)
def setup_edit(request, pk):
    specification = get_object_or_404(Specification, pk=pk)
    plan = staffing.plan_of(specification)
    named = [key for key in (staffing.pool_keys(plan, appeals=False) if plan else []) if key.name]
    initial = {
        "pipeline": case_services.pipeline_for(specification),
        **pool_services.pool_members(specification),
        **{
            named_field(key): people
            for key, people in pool_services.named_pool_members(specification, named).items()
        },
    }
    form = AssessmentSetupForm(
        request.POST if request.method == "POST" else None, initial=initial, named_pools=named
    )
    if request.method == "POST" and form.is_valid():
        try:
            is_open = pool_services.set_up(
                actor=request.user,
                specification=specification,
                pipeline=form.cleaned_data["pipeline"],
                pools={name: set(form.cleaned_data[name]) for name in POOLS},
                named={key: set(form.cleaned_data[named_field(key)]) for key in named},
            )
        except pool_services.SetupRefused as error:
            form.add_error("pipeline", str(error))
        else:
            if is_open:
                messages.success(request, _("The assessment set-up is saved."))
            else:
                messages.warning(
                    request,
                    _(
                        "The assessment set-up is saved, but candidates cannot apply yet: "
                        "see what is missing below."
                    ),
                )
            return redirect("assessment_setup_edit", pk=specification.pk)
    return render(
        request,
        "workflows/setup_edit.html",
        {
            "form": form,
            "specification": specification,
            "staffing": staffing.staffing_of(specification, plan) if plan else None,
            "refusal": staffing.opening_refusal(specification),
        },
        status=400 if request.method == "POST" else 200,
    )
