from django.urls import path

from workflows.cases import applications, recognition_statement

urlpatterns = [
    path("<int:pk>/submit/", applications.submit, name="application_submit"),
    path("<int:pk>/withdraw/", applications.withdraw, name="application_withdraw"),
    path("<int:pk>/case/", applications.timeline, name="case_timeline"),
    path("my-data/export/", applications.export, name="my_data_export"),
    path(
        "statements/<uuid:key>/",
        recognition_statement.confirmation,
        name="statement_confirmation",
    ),
]
