"""The evidence app's addresses: the candidate's applications and portfolio."""

from django.urls import include, path

urlpatterns = [
    path("applications/", include("evidence.portfolio.urls")),
]
