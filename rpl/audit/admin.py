"""The Django admin shows the audit log and never changes it; the mixin below makes any admin
read-only, for the other apps whose rows the audit trail speaks for (cases, tasks, credentials):
they change only through their services, which record an audit event."""

from django.contrib import admin

from rpl.audit.models import AuditEvent


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: lists and detail pages only (a POST is refused
    with 403). Works for inlines too."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sequence", "created_at", "actor_repr", "action", "target_repr", "scheme")
    list_filter = ("action", "scheme")
    search_fields = ("action", "actor_repr", "target_repr", "target_id")
    date_hierarchy = "created_at"
    show_full_result_count = False
