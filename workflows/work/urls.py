from django.urls import path

from workflows.work import views as task_views

urlpatterns = [
    path("", task_views.inbox, name="work_inbox"),
    path("done/", task_views.done_by_me, name="work_done"),
    path("<int:process_pk>/<int:task_pk>/", task_views.task, name="work_task"),
    path("<int:process_pk>/<int:task_pk>/take/", task_views.take, name="work_take"),
    path("<int:process_pk>/<int:task_pk>/release/", task_views.release, name="work_release"),
    path("<int:process_pk>/<int:task_pk>/declare/", task_views.declare, name="work_declare"),
    path(
        "<int:process_pk>/<int:task_pk>/evidence/<int:item_pk>/",
        task_views.evidence_file,
        name="work_evidence_file",
    ),
]
