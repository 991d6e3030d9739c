"""The credentials app's addresses: the catalogue, and issued credentials at the site root."""

from django.urls import include, path

urlpatterns = [
    path("", include("credentials.elm.urls")),
    path("catalogue/", include("credentials.catalogue.urls")),
    path("", include("credentials.issuing.urls")),
]
