from django.urls import path

from assessments.online_tests import views

app_name = "assessments"

urlpatterns = [
    path("<int:pk>/", views.sitting, name="sitting"),
    path("<int:pk>/start/", views.start, name="start"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("attempts/<int:pk>/finish/", views.finish, name="finish"),
    path("banks/", views.bank_list, name="bank_list"),
    path("banks/import/", views.bank_import, name="bank_import"),
    path("banks/<int:pk>/", views.bank_detail, name="bank_detail"),
]
