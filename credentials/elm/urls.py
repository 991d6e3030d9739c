"""The ELM exports' addresses (the credentials' own download is an issued-credential format)."""

from django.urls import path

from credentials.elm import views

app_name = "elm"

urlpatterns = [path("catalogue/elm.jsonld", views.catalogue, name="catalogue")]
