"""The only way a print template can load anything: our own static files, from disk, and data: URIs.

WeasyPrint would otherwise fetch any URL in the HTML over the network, which a worker must never do
(a slow host would hang it; an internal address would leak). Anything else is refused, and refusal
stops the render, so a document is never issued with a missing part.
"""

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A print template asked for something other than our static files or a data: URI."""


def _static_url_prefix() -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", settings.STATIC_URL)


def _static_roots() -> list[Path]:
    roots = [
        Path(entry[1] if isinstance(entry, tuple) else entry) for entry in settings.STATICFILES_DIRS
    ]
    roots += [Path(app.path) / "static" for app in apps.get_app_configs()]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots if root.is_dir()]


def _file_under_static_root(path: Path) -> Path | None:
    resolved = path.resolve()
    for root in _static_roots():
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


def _static_file(relative: str) -> Path | None:
    relative = unquote(relative)
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        return _file_under_static_root(Path(settings.STATIC_ROOT) / relative)
    return None


class StaticFilesOnlyURLFetcher(URLFetcher):
    def __init__(self) -> None:
        # fail_on_errors: WeasyPrint otherwise logs a refused URL and carries on without it.
        super().__init__(
            timeout=5,
            allowed_protocols=("data", "file", "http", "https"),
            allow_redirects=False,
            fail_on_errors=True,
        )

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        path = self._local_path(url, scheme)
        if path is None:
            raise RefusedURL(
                f"Print templates may load only our static files; refused {url[:200]!r}."
            )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _local_path(url: str, scheme: str) -> Path | None:
        without_query = url.split("#", 1)[0].split("?", 1)[0]
        if scheme in ("http", "https"):
            prefix = _static_url_prefix()
            if without_query.startswith(prefix):
                return _static_file(without_query[len(prefix) :])
            return None
        if scheme == "file":
            parts = urlsplit(without_query)
            if parts.netloc not in ("", "localhost"):
                return None
            return _file_under_static_root(Path(url2pathname(parts.path)))
        return None


def static_base_url() -> str:
    """The base URL print templates are rendered against, so `{% static %}` paths resolve."""
    return settings.SITE_URL.rstrip("/") + "/"
