from django.urls import path

from workflows.appeals import views as appeal_views
from workflows.cases import recognition_statement as statement

urlpatterns = [
    path("applications/<int:pk>/case/appeal/", appeal_views.submit, name="appeal_submit"),
    path("applications/<int:pk>/case/statement/", statement.page, name="statement"),
    path("applications/<int:pk>/case/statement.pdf", statement.pdf, name="statement_pdf"),
    path("work/appeals/<int:process_pk>/<int:task_pk>/", appeal_views.task, name="appeal_task"),
    path(
        "work/appeals/<int:process_pk>/<int:task_pk>/take/",
        appeal_views.take,
        name="appeal_take",
    ),
    path(
        "work/appeals/<int:process_pk>/<int:task_pk>/release/",
        appeal_views.release,
        name="appeal_release",
    ),
    path(
        "work/appeals/<int:process_pk>/<int:task_pk>/declare/",
        appeal_views.declare,
        name="appeal_declare",
    ),
    path(
        "work/appeals/<int:process_pk>/<int:task_pk>/evidence/<int:item_pk>/",
        appeal_views.evidence_file,
        name="appeal_evidence_file",
    ),
]
