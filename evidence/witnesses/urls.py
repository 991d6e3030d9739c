"""The witness pages, included in the ``evidence`` namespace by ``evidence.portfolio.urls``."""

from django.urls import path

from evidence.witnesses import views

urlpatterns = [
    path("<int:pk>/witnesses/", views.witnesses, name="witnesses"),
    path("witness/<str:token>/", views.witness, name="witness"),
]
