from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("documents/<int:pk>/status/", views.status, name="status"),
    path("documents/<int:pk>/credential/", views.credential_download, name="credential_download"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("credentials/check/", views.credential_check_page, name="credential_check"),
    path(
        "credentials/status/<int:issuer_id>/",
        views.credential_status_list,
        name="credential_status_list",
    ),
    path("credentials/issuers/<int:issuer_id>/", views.credential_issuer, name="credential_issuer"),
]
