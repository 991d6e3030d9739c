"""Issued credentials (mounted at the site root): /credentials/... and /issuers/<org>/did.json.

An organisation's did:web is ``did:web:<host>:issuers:<org>``, so its DID document is served at
``/issuers/<org>/did.json`` (did:web's path form; see ``credentials.issuing.keys``).
"""

from django.urls import path, re_path

from credentials.bulk import views as bulk_views
from credentials.issuing import views

app_name = "issued"

urlpatterns = [
    path("credentials/verify/", views.verify_form, name="verify"),
    path("credentials/wallet/", views.wallet, name="wallet"),
    path("credentials/wallet/did/", views.holder_did, name="holder_did"),
    path("credentials/wallet/did/remove/", views.holder_did_remove, name="holder_did_remove"),
    path("credentials/issued/", views.issued_list, name="manage"),
    path("credentials/bulk/", bulk_views.upload, name="bulk"),
    path("credentials/bulk/<int:job_id>/", bulk_views.job_page, name="bulk_job"),
    path(
        "credentials/bulk/<int:job_id>/progress.json",
        bulk_views.job_progress,
        name="bulk_progress",
    ),
    path("credentials/bulk/<int:job_id>/retry/", bulk_views.job_retry, name="bulk_retry"),
    path("credentials/contexts/<str:name>", views.context_document, name="context"),
    re_path(
        r"^credentials/status/(?P<org>[0-9]+)/(?P<purpose>revocation|suspension|message)/(?P<number>[0-9]+)$",
        views.status_list,
        name="status_list",
    ),
    path("credentials/badges/<slug:slug>.<str:fmt>", views.badge, name="badge"),
    path("credentials/<uuid:public_id>/", views.credential_page, name="credential"),
    path("credentials/<uuid:public_id>/ready/", views.ready, name="ready"),
    path("credentials/<uuid:public_id>/download/<slug:fmt>", views.download, name="download"),
    path("credentials/<uuid:public_id>/status/", views.change_status, name="change_status"),
    path("issuers/<int:org>/did.json", views.did_document, name="did"),
]
