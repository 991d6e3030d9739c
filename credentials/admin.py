"""Read-only views in the Django admin. Changes go through the catalogue pages, which call
``credentials.catalogue.services``, and the issuing services (issue, suspend, reinstate,
revoke), so that every change is audited; the admin adds, changes and deletes nothing."""

from django.contrib import admin
from django.db import models

from credentials.catalogue.models import LearningOutcome, Organisation, Specification
from credentials.issuing.models import IssuedCredential, StatusList
from rpl.audit.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class LearningOutcomeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LearningOutcome
    fields = ("position", "statement_en", "statement_pl", "esco_uri")
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "name_pl", "country", "region_code", "identifier")
    search_fields = ("name_en", "name_pl", "identifier")


@admin.register(Specification)
class SpecificationAdmin(ReadOnlyAdmin):
    list_display = ("slug", "title_en", "status", "eqf_level", "version", "updated_at")
    list_filter = ("status", "eqf_level", "field_of_study")
    search_fields = ("slug", "title_en", "title_pl")
    list_select_related = ("awarding_body",)
    inlines = [LearningOutcomeInline]


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "learner", "specification", "organisation", "state", "issued_at")
    list_filter = ("state", "organisation")
    search_fields = ("public_id", "learner__email", "specification__slug")
    list_select_related = ("learner", "specification", "organisation")


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "organisation", "purpose", "number", "size", "used", "updated_at")
    list_filter = ("purpose", "organisation")
    list_select_related = ("organisation",)
    exclude = ("bits",)  # raw bytes; the signed list beside them says the same
