"""The engine's addresses, one line per sub-package."""

from django.urls import include, path

urlpatterns = [
    path("applications/", include("workflows.cases.urls")),
    path("pipelines/", include("workflows.pipelines.urls")),
    path("work/", include("workflows.work.urls")),
    path("assessment-setup/", include("workflows.setup.urls")),
    path("people/", include("workflows.staff.urls")),
    path("", include("workflows.appeals.urls")),
    path("", include("workflows.meetings.urls")),
]
