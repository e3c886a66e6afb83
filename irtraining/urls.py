from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.views.pages import home

from .health import health


def favicon(request):
    """Browsers ask for /favicon.ico on any page that names no icon: send them to the app's."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("health/", health, name="health"),
    # Public, linked from every footer: the statement public-sector services must publish.
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("account/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("signoffs/", include("signoffs.urls")),
    path("agreements/", include("agreements.urls")),
    path("logbook/", include("caselogs.urls")),
    path("progress/", include("phases.urls")),
    path("reconciliation/", include("reconciliation.urls")),
    path("governance/", include("governance.urls")),
    path("", include("documents.urls")),
    path("admin/", admin.site.urls),
]
