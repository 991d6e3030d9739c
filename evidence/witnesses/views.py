"""The candidate's witnesses page, and the witness's own page (no account, a signed link)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from evidence.portfolio import selectors
from evidence.portfolio.services import ApplicationError
from evidence.portfolio.views import candidate_application, candidate_only
from evidence.witnesses import services
from evidence.witnesses.forms import TestimonyForm, WitnessForm


@require_http_methods(["GET", "POST"])
@candidate_only
def witnesses(request, pk):
    app = candidate_application(request, pk)
    form = WitnessForm(request.POST or None, specification=app.specification)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.invite_witness(app, actor=request.user, **data)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("We have sent %(name)s a link by e-mail. It works once, for 14 days.")
                % {"name": data["witness_name"]},
            )
            return redirect("evidence:witnesses", pk=app.pk)
    return render(
        request,
        "evidence/witnesses.html",
        {
            "application": app,
            "form": form,
            "requests": selectors.witness_requests_of(app),
            "now_": timezone.now(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def witness(request, token):
    """The witness's page: no account, only what they are asked to confirm."""
    try:
        witness_request = services.witness_request_for(token)
    except services.WitnessLinkError as error:
        status = 404 if error.code == "invalid" else 410
        return render(request, "evidence/witness_closed.html", {"error": error}, status=status)
    form = TestimonyForm(
        request.POST or None,
        initial={"full_name": witness_request.witness_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_testimony(token, **form.testimony())
        except services.WitnessLinkError as error:
            return render(request, "evidence/witness_closed.html", {"error": error}, status=410)
        return render(
            request, "evidence/witness_thanks.html", {"name": form.cleaned_data["full_name"]}
        )
    return render(
        request,
        "evidence/witness.html",
        {
            "request_": witness_request,
            "as_relation": services.as_relation(witness_request),
            "candidate": witness_request.application.candidate.get_full_name(),
            "spec": witness_request.application.specification,
            "outcomes": list(witness_request.outcomes.order_by("position")),
            "form": form,
        },
    )
