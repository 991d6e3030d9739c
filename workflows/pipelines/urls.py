from django.urls import path, re_path

from workflows.pipelines import views

app_name = "workflows"

urlpatterns = [
    path("", views.pipeline_list, name="pipeline_list"),
    path("new/", views.pipeline_new, name="pipeline_new"),
    path("<slug:key>/", views.pipeline_detail, name="pipeline_detail"),
    path("<slug:key>/draft/", views.draft_edit, name="draft_edit"),
    path("<slug:key>/publish/", views.draft_publish, name="draft_publish"),
    path("<slug:key>/discard/", views.draft_discard, name="draft_discard"),
    path("<slug:key>/v<int:number>/", views.version_detail, name="version_detail"),
    re_path(
        r"^(?P<key>[-a-zA-Z0-9_]+)/v(?P<number>[0-9]+)\.(?P<fmt>yaml|json)$",
        views.version_export,
        name="version_export",
    ),
]
