"""Bulk issuing pages (administrators): upload a CSV file, follow the job, see the row errors.

The file is checked whole before anything is issued (``credentials.bulk.rows``); when a row is
wrong, the upload page lists every error and nothing is issued. A valid file becomes a
``BulkIssueJob`` that ``credentials.bulk.jobs.run_bulk_issue`` works through in the background.
A job whose worker stopped shows as interrupted and resumes by itself; "start again" restarts a
failed job, or sends an interrupted one to a worker at once.
"""

import os

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credentials.bulk import jobs as bulk_jobs
from credentials.bulk import rows as bulk
from credentials.bulk.models import BulkIssueJob
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.audit import services as audit


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, separated by commas or semicolons, at most 5 MB and 5,000 rows. "
            "Columns: email, full_name, specification, recognised_outcomes, assessed_on, grade."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > bulk.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(limit)s MB. Split it into smaller files "
                    "and upload them one by one."
                )
                % {"limit": bulk.MAX_BYTES // (1024 * 1024)}
            )
        return upload


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    errors: list[bulk.RowError] = []
    file_name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = os.path.basename(upload.name or "")[:255] or "upload.csv"
        result = bulk.parse(upload.read(bulk.MAX_BYTES + 1))
        errors = result.errors
        if result.ok:
            with transaction.atomic():
                job = BulkIssueJob.objects.create(
                    created_by=request.user,
                    file_name=file_name,
                    rows=[row.as_dict() for row in result.rows],
                    total_rows=len(result.rows),
                    language=get_language() or "",
                    # The time a worker has to take it before the sweeper sends it again.
                    lease_expires_at=timezone.now() + bulk_jobs.lease_length(),
                )
                audit.record(
                    actor=request.user,
                    action="bulk_issue.created",
                    target=job,
                    changes={"file": file_name, "rows": job.total_rows},
                )
                bulk_jobs.send(job.pk)
            messages.success(
                request,
                _("The file “%(name)s” was checked: %(count)s rows are being issued.")
                % {"name": file_name, "count": job.total_rows},
            )
            return redirect("issued:bulk_job", job_id=job.pk)
    elif request.method == "POST" and "file" in request.FILES:
        file_name = os.path.basename(request.FILES["file"].name or "")
    jobs = BulkIssueJob.objects.select_related("created_by")[:50]
    return render(
        request,
        "credentials/bulk/upload.html",
        {
            "form": form,
            "errors": [error.as_dict() for error in errors],
            "file_name": file_name,
            "jobs": jobs,
            "columns": bulk.COLUMNS,
            "max_rows": bulk.MAX_ROWS,
            "nav": "bulk",
        },
        status=400 if form.errors or errors else 200,
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def job_page(request, job_id):
    job = get_object_or_404(BulkIssueJob.objects.select_related("created_by"), pk=job_id)
    return render(request, "credentials/bulk/job.html", {"job": job, "nav": "bulk"})


@role_required(Role.ADMINISTRATOR)
@require_GET
def job_progress(request, job_id):
    job = get_object_or_404(BulkIssueJob, pk=job_id)
    response = JsonResponse(job.progress())
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.ADMINISTRATOR)
@require_POST
def job_retry(request, job_id):
    job = get_object_or_404(BulkIssueJob, pk=job_id)
    if job.status == BulkIssueJob.Status.FAILED:
        if bulk_jobs.restart(job, actor=request.user):
            messages.success(
                request,
                _("The job was started again. Rows already issued are skipped as duplicates."),
            )
    elif job.is_interrupted and bulk_jobs.resume(job, actor=request.user):
        messages.success(
            request,
            _("The job was sent to a worker again. It goes on from the first row not yet issued."),
        )
    return redirect("issued:bulk_job", job_id=job.pk)
