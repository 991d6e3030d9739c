from django.urls import path

from workflows.meetings import views

urlpatterns = [
    path("work/<int:process_pk>/<int:task_pk>/meeting/", views.propose, name="meeting_propose"),
    path(
        "work/<int:process_pk>/<int:task_pk>/meeting.ics",
        views.staff_calendar,
        name="meeting_staff_calendar",
    ),
    path(
        "work/<int:process_pk>/<int:task_pk>/identity-documents/<int:document_pk>/",
        views.identity_document,
        name="identity_document",
    ),
    path("applications/<int:pk>/meeting/", views.choose_time, name="meeting_choose"),
    path("applications/<int:pk>/meeting.ics", views.candidate_calendar, name="meeting_calendar"),
    path(
        "applications/<int:pk>/identity-documents/",
        views.identity_documents,
        name="identity_documents",
    ),
    path(
        "applications/<int:pk>/identity-documents/<int:document_pk>/remove/",
        views.remove_identity_document,
        name="identity_document_remove",
    ),
    path("applications/<int:pk>/electronic-id/<slug:key>/", views.eid_start, name="identity_eid"),
    path(
        "identity/electronic-id/<slug:key>/callback/",
        views.eid_callback,
        name="identity_eid_callback",
    ),
]
