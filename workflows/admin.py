"""The Django admin shows cases, appeals and the engine's processes and tasks, and changes none of
them: they move only through the engine's services, which record every step in the audit trail.

viewflow registers its own ``Process`` and ``Task`` admins, which can change rows; they are
replaced here by read-only ones (viewflow's code is left as it is)."""

from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from rpl.audit.admin import ReadOnlyAdminMixin
from workflows.models import Appeal, Case


class ReadOnlyTaskInline(ReadOnlyAdminMixin, viewflow_admin.TaskInline):
    pass


class ReadOnlyProcessAdmin(ReadOnlyAdminMixin, viewflow_admin.ProcessAdmin):
    inlines = [ReadOnlyTaskInline]


class ReadOnlyTaskAdmin(ReadOnlyAdminMixin, viewflow_admin.TaskAdmin):
    pass


for model, model_admin in ((Process, ReadOnlyProcessAdmin), (Task, ReadOnlyTaskAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "created", "candidate", "specification", "status", "outcome")
    list_filter = ("status", "outcome", "specification")
    search_fields = ("candidate__email", "specification__slug")
    list_select_related = ("candidate", "specification")
    date_hierarchy = "created"
    inlines = [ReadOnlyTaskInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "submitted_at", "appealed_case", "candidate", "status", "outcome")
    list_filter = ("status", "outcome")
    search_fields = ("candidate__email",)
    list_select_related = ("candidate",)
    date_hierarchy = "submitted_at"
    inlines = [ReadOnlyTaskInline]
