from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.find_case, name="find_case"),
    path("cases/<int:case_pk>/", views.dossier, name="dossier"),
    path("cases/<int:case_pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("audits/<int:process_pk>/<int:task_pk>/", views.audit_task, name="audit"),
    path("audits/<int:process_pk>/<int:task_pk>/take/", views.take, name="take"),
    path("audits/<int:process_pk>/<int:task_pk>/release/", views.release, name="release"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:spec_pk>/", views.policy_edit, name="policy_edit"),
    path("export/<slug:table>.csv", views.export, name="export"),
    path("reports/evaluation.pdf", views.evaluation_report, name="evaluation_report"),
]
