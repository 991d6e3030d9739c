"""Quality officers' pages. They read everything and change a case only through audit actions;
every page they open is itself recorded in the audit log."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.utils import wrap_view
from viewflow.workflow.models import Task

from credentials.catalogue.models import Specification
from quality.audits import dossier as dossiers
from quality.audits import services, wording
from quality.audits.flows import AuditFlow, AuditTask
from quality.forms import CaseNumberForm, PeriodForm, PolicyForm, ReviewForm
from quality.statistics import figures as statistics
from quality.statistics import rolled_figures, units
from quality.statistics.charts import bar_chart
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.lib import csv_safe
from rpl.pdf import render_pdf
from workflows.models import Case
from workflows.work import taking as task_actions

quality_officer = role_required(Role.QUALITY_OFFICER)


def _period_form(request):
    form = PeriodForm(request.GET or None)
    form.is_valid()
    return form, form.chosen_period(), form.chosen_specification()


def _scope(period, specification) -> dict:
    return {
        "from": period.start.date().isoformat(),
        "to": (period.end - timedelta(days=1)).date().isoformat(),
        "specification": specification.slug if specification else None,
    }


def _assessor_charts(rows):
    by_spec = {}
    for row in rows:
        if row.mean_share is not None:
            by_spec.setdefault(row.specification, []).append(row)
    return [
        {
            "specification": spec,
            "caption": _("Mean score per assessor: %(spec)s") % {"spec": spec.title},
            "svg": bar_chart(
                chart_id=f"assessors-{spec.pk}",
                title=_("Mean score per assessor: %(spec)s") % {"spec": spec.title},
                description=_(
                    "Mean score as a share of the rubric's range; flagged bars differ from "
                    "colleagues by %(gap)s points or more."
                )
                % {"gap": round(statistics.OUTLIER_GAP * 100)},
                rows=[
                    (
                        (row.assessor.get_full_name() or row.assessor.email)
                        + (f" — {_('more lenient')}" if row.flag == "lenient" else "")
                        + (f" — {_('more severe')}" if row.flag == "severe" else ""),
                        row.mean_share * 100,
                        units.percent(row.mean_share * 100),
                        bool(row.flag),
                    )
                    for row in group
                ],
                maximum=100,
            ),
        }
        for spec, group in by_spec.items()
    ]


def _waits_chart(waits):
    rows = [w for w in waits if w["mean"] is not None]
    if not rows:
        return None
    longest = max(w["mean"].total_seconds() for w in rows) or 1
    return bar_chart(
        chart_id="waits",
        title=_("Mean time at each step"),
        description=_(
            "Steps where cases wait longest, longest first: the mean time from a task's "
            "creation to its completion."
        ),
        rows=[
            (
                f"{w['step_title']} · {w['specification'].title}",
                w["mean"].total_seconds(),
                units.duration(w["mean"]),
                False,
            )
            for w in rows
        ],
        maximum=longest,
    )


@quality_officer
def dashboard(request):
    return _dashboard(request, *_period_form(request))


def _dashboard(request, form, period, specification):
    matrices = rolled_figures.agreement_matrices(period, specification)
    assessors = rolled_figures.assessor_statistics(period, specification, matrices)
    waits = rolled_figures.step_waits(period, specification, limit=10)
    services.log_view(request.user, "dashboard", **_scope(period, specification))
    return render(
        request,
        "quality/dashboard.html",
        {
            "form": form,
            "period": period,
            "query": request.GET.urlencode(),
            "case_form": CaseNumberForm(),
            "process": rolled_figures.process_statistics(period, specification, matrices),
            "assessors": assessors,
            "assessor_charts": _assessor_charts(assessors),
            "waits": waits,
            "waits_chart": _waits_chart(waits),
            "finding_counts": statistics.finding_counts(period, specification),
            "findings": statistics.findings(period, specification)[:10],
            "audit_tasks": statistics.audit_tasks(request.user),
            "nav": "quality",
        },
        status=400 if form.errors else 200,
    )


@quality_officer
def find_case(request):
    form = CaseNumberForm(request.GET)
    if form.is_valid():
        if Case.objects.filter(pk=form.cleaned_data["number"]).exists():
            return redirect("quality:dossier", case_pk=form.cleaned_data["number"])
        form.add_error("number", _("There is no case with this number."))
    return render(request, "quality/find_case.html", {"case_form": form}, status=400)


@quality_officer
def dossier(request, case_pk):
    context = dossiers.build(case_pk)
    services.log_view(request.user, "dossier", target=context["case"])
    return render(request, "quality/dossier.html", context)


@quality_officer
def dossier_pdf(request, case_pk):
    context = dossiers.build(case_pk)
    services.log_view(request.user, "dossier.pdf", target=context["case"])
    response = HttpResponse(dossiers.render_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case_pk}-dossier.pdf"'
    return response


def _audit_task(process_pk, task_pk):
    task = get_object_or_404(Task, pk=task_pk, process_id=process_pk)
    if task.process.flow_class is not AuditFlow or not isinstance(task.flow_task, AuditTask):
        raise Http404
    return task


@require_POST
@quality_officer
def take(request, process_pk, task_pk):
    task = _audit_task(process_pk, task_pk)
    reason = task_actions.take(
        task,
        request.user,
        refusal=services.audit_refusal,
        action="quality.audit_taken",
        target=task.coerced_process.audited_case,
        changes={"audit": task.process_id},
    )
    if reason:
        messages.error(request, reason)
        return redirect("quality:dashboard")
    return redirect("quality:audit", process_pk=process_pk, task_pk=task_pk)


@require_POST
@quality_officer
def release(request, process_pk, task_pk):
    task = _audit_task(process_pk, task_pk)
    task_actions.release(
        task,
        request.user,
        action="quality.audit_released",
        target=task.coerced_process.audited_case,
        changes={"audit": task.process_id},
    )
    messages.success(request, _("The audit is back with the quality officers."))
    return redirect("quality:dashboard")


@quality_officer
def audit_task(request, process_pk, task_pk):
    """Do an audit: viewflow's wrapper locks the audit, checks ownership and starts the task."""
    flow_task = _audit_task(process_pk, task_pk).flow_task
    return wrap_view(flow_task, flow_task.view)(request, process_pk=process_pk, task_pk=task_pk)


def review(request, **kwargs):
    """The execute view of the audit's ``review`` node (``request.activation`` is set)."""
    activation = request.activation
    audit_case = activation.process
    credential = getattr(audit_case.audited_case, "credential", None)
    form = ReviewForm(request.POST or None, credential=credential)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_review(activation, actor=request.user, **form.review())
        except services.QualityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your verdict on the audit is recorded."))
            return redirect("quality:dashboard")
    services.log_view(request.user, "audit", target=audit_case.audited_case, audit=audit_case.pk)
    vocabulary = wording.Vocabulary.of_case(audit_case.audited_case)
    return render(
        request,
        "quality/review.html",
        {
            "audit_case": audit_case,
            "near": wording.near_lines((audit_case.details or {}).get("near"), vocabulary),
            "task": activation.task,
            "form": form,
            "credential": credential,
            "nav": "quality",
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
def policies(request):
    specs = list(Specification.objects.select_related("sampling_policy").order_by("slug"))
    for spec in specs:
        spec.policy = services.policy_for(spec)
    return render(request, "quality/policies.html", {"specifications": specs, "nav": "quality"})


@role_required(Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
def policy_edit(request, spec_pk):
    spec = get_object_or_404(Specification, pk=spec_pk)
    form = PolicyForm(request.POST or None, instance=services.policy_for(spec))
    if request.method == "POST" and form.is_valid():
        services.save_policy(spec, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The sampling policy is saved."))
        return redirect("quality:policies")
    return render(
        request,
        "quality/policy_edit.html",
        {"specification": spec, "form": form, "nav": "quality"},
        status=400 if request.method == "POST" else 200,
    )


def _hours(duration):
    return "" if duration is None else f"{duration.total_seconds() / 3600:.1f}"


def _number(value, digits=3):
    return "" if value is None else f"{value:.{digits}f}"


def _csv_tables(period, specification):
    return {
        "assessors": lambda: (
            [
                _("Assessor"),
                _("E-mail"),
                _("Micro-credential"),
                _("Cases"),
                _("Scores"),
                _("Pass rate (%)"),
                _("Mean score (per cent of the rubric)"),
                _("Colleagues' mean (%)"),
                _("Outlier"),
                _("Score distribution"),
                _("Double-marked scores"),
                _("Agreement (%)"),
                _("Kappa (linear)"),
                _("Kappa (quadratic)"),
                _("Steps marked"),
                _("Moderated"),
                _("Tasks"),
                _("Mean hours per task"),
                _("Deadlines missed"),
                _("Appeals"),
                _("Upheld"),
                _("Overturned"),
            ],
            [
                [
                    r.assessor.get_full_name(),
                    r.assessor.email,
                    r.specification.slug,
                    r.cases,
                    r.scores,
                    _number(r.pass_rate, 1),
                    _number((r.mean_share or 0) * 100, 1),
                    _number(r.colleagues_share and r.colleagues_share * 100, 1),
                    {"lenient": _("more lenient"), "severe": _("more severe")}.get(r.flag, ""),
                    " ".join(f"{v}:{n}" for v, n in r.distribution_rows),
                    r.paired,
                    _number(r.agreement_percent, 1),
                    _number(r.kappa_linear),
                    _number(r.kappa_quadratic),
                    r.sheets,
                    r.moderated,
                    r.tasks,
                    _hours(r.mean_task_time),
                    r.deadlines_missed,
                    r.appeals,
                    r.appeals_upheld,
                    r.appeals_overturned,
                ]
                for r in rolled_figures.assessor_statistics(period, specification)
            ],
        ),
        "process": lambda: (
            [
                _("Micro-credential"),
                _("Applications"),
                _("Withdrawals"),
                _("Full recognition"),
                _("Partial recognition"),
                _("No recognition"),
                _("Median days to decision"),
                _("90th percentile days to decision"),
                _("Double-marked pairs"),
                _("Agreement (%)"),
                _("Kappa (linear)"),
                _("Kappa (quadratic)"),
            ],
            [
                [
                    r.specification.slug,
                    r.applications,
                    r.withdrawals,
                    r.full,
                    r.partial,
                    r.none,
                    _number(r.median and r.median.total_seconds() / 86400, 1),
                    _number(r.p90 and r.p90.total_seconds() / 86400, 1),
                    (r.agreement or {}).get("pairs", 0),
                    _number((r.agreement or {}).get("percent"), 1),
                    _number((r.agreement or {}).get("kappa_linear")),
                    _number((r.agreement or {}).get("kappa_quadratic")),
                ]
                for r in rolled_figures.process_statistics(period, specification)
            ],
        ),
        "steps": lambda: (
            [_("Micro-credential"), _("Step"), _("Tasks"), _("Still open"), _("Mean hours")],
            [
                [w["specification"].slug, w["step"], w["tasks"], w["open"], _hours(w["mean"])]
                for w in rolled_figures.step_waits(period, specification)
            ],
        ),
        "findings": lambda: (
            [
                _("Audit"),
                _("Case"),
                _("Micro-credential"),
                _("Why audited"),
                _("Verdict"),
                _("Severity"),
                _("Finding"),
                _("Corrective action"),
                _("Credential suspended"),
                _("Reviewed by"),
                _("Reviewed"),
            ],
            [
                [
                    a.pk,
                    a.audited_case_id,
                    a.audited_case.specification.slug,
                    a.get_reason_display(),
                    a.get_verdict_display(),
                    a.get_severity_display(),
                    a.description,
                    a.corrective_action,
                    _("yes") if a.credential_suspended else _("no"),
                    a.reviewed_by.email if a.reviewed_by else "",
                    a.reviewed_at.isoformat(),
                ]
                for a in statistics.findings(period, specification).iterator()
            ],
        ),
    }


@quality_officer
def export(request, table):
    form, period, specification = _period_form(request)
    tables = _csv_tables(period, specification)
    if table not in tables:
        raise Http404
    if request.GET and not form.is_valid():
        return _dashboard(request, form, period, specification)
    header, rows = tables[table]()
    services.log_view(request.user, f"export.{table}", **_scope(period, specification))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quality-{table}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@quality_officer
def evaluation_report(request):
    """The periodic internal evaluation of one specification (ZSK art. 64), as PDF."""

    form, period, specification = _period_form(request)
    if specification is None and form.is_valid():
        form.add_error("specification", _("Choose the micro-credential to evaluate."))
    if not form.is_valid():
        return _dashboard(request, form, period, specification)
    matrices = rolled_figures.agreement_matrices(period, specification)
    context = {
        "specification": specification,
        "period": period,
        "process": rolled_figures.process_statistics(period, specification, matrices)[0],
        "assessors": rolled_figures.assessor_statistics(period, specification, matrices),
        "waits": rolled_figures.step_waits(period, specification),
        "finding_counts": statistics.finding_counts(period, specification),
        "findings": list(statistics.findings(period, specification)),
    }
    services.log_view(request.user, "evaluation_report", **_scope(period, specification))
    pdf = render_pdf("quality/evaluation_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{specification.slug}-{period.start.date()}.pdf"'
    )
    return response
