from django.urls import path

from credentials.catalogue import views

app_name = "credentials"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.specification_create, name="create"),
    path("manage/<int:pk>/edit/", views.specification_edit, name="edit"),
    path("manage/<int:pk>/publish/", views.specification_publish, name="publish"),
    path("manage/<int:pk>/retire/", views.specification_retire, name="retire"),
    path("manage/organisations/", views.organisations, name="organisations"),
    path("manage/organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "manage/organisations/<int:pk>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    # Last, so that the pages above win; their names are reserved slugs (models.RESERVED_SLUGS).
    path("<slug:slug>/", views.detail, name="detail"),
]
