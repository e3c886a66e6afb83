from django.contrib import admin
from django.urls import include, path

from accounts.views.pages import home

from .health import health

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("account/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("signoffs/", include("signoffs.urls")),
    path("agreements/", include("agreements.urls")),
    path("logbook/", include("caselogs.urls")),
    path("progress/", include("phases.urls")),
    path("governance/", include("governance.urls")),
    path("", include("documents.urls")),
    path("admin/", admin.site.urls),
]
