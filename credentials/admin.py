"""Read-only views in the Django admin. Changes go through the catalogue pages, which call
``credentials.catalogue.services`` so that every change is audited."""

from django.contrib import admin
from django.db import models

from credentials.catalogue.models import LearningOutcome, Organisation, Specification


class ReadOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LearningOutcomeInline(admin.TabularInline):
    model = LearningOutcome
    fields = ("position", "statement_en", "statement_pl", "esco_uri")
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
