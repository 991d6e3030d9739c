"""The assessments app's addresses: online tests and question banks."""

from django.urls import include, path

urlpatterns = [
    path("tests/", include("assessments.online_tests.urls")),
]
