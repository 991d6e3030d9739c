from django.urls import include, path

from evidence.portfolio import views

app_name = "evidence"

urlpatterns = [
    path("", views.applications, name="applications"),
    path("apply/<slug:slug>/", views.apply, name="apply"),
    path("<int:pk>/", views.application, name="application"),
    path("<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/evidence/add/<slug:kind>/", views.add_item, name="add_item"),
    path("<int:pk>/evidence/<int:item_pk>/edit/", views.edit_item, name="edit_item"),
    path("<int:pk>/evidence/<int:item_pk>/delete/", views.delete_item, name="delete_item"),
    path("<int:pk>/evidence/<int:item_pk>/file/", views.download, name="download"),
    path("<int:pk>/uploads/", views.upload_start, name="upload_start"),
    path("<int:pk>/uploads/<uuid:upload_id>/", views.upload_chunk, name="upload_chunk"),
    path("<int:pk>/matrix/", views.matrix, name="matrix"),
    path("", include("evidence.witnesses.urls")),
]
