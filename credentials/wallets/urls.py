"""EU wallet issuance (OpenID4VCI), mounted at the site root; the two well-known metadata
documents are routed in ``config/urls.py``, where every ``/.well-known/`` address lives."""

from django.urls import path

from credentials.wallets import views

app_name = "wallets"

urlpatterns = [
    path("credentials/eu-wallet/token", views.token, name="token"),
    path("credentials/eu-wallet/nonce", views.nonce, name="nonce"),
    path("credentials/eu-wallet/credential", views.credential, name="credential"),
    path("credentials/eu-wallet/types/micro-credential", views.type_metadata, name="type_metadata"),
    path(
        "credentials/eu-wallet/status/<int:org>/<int:number>",
        views.status_list_token,
        name="status_list_token",
    ),
    path("credentials/<uuid:public_id>/eu-wallet/", views.offer, name="offer"),
]
