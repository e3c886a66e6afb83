"""Print templates load our static files from disk and data: URIs; everything else is refused."""

import socket
import time

import pytest

from documents.fetcher import RefusedURL, StaticFilesOnlyURLFetcher
from documents.pdf import DocumentRenderError, pdf_from_html

# A blackholed address: a fetcher that tried the network would hang here until its timeout.
UNROUTABLE = "http://10.255.255.1/logo.png"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the URL fetcher opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_an_external_url_is_refused(no_network):
    fetcher = StaticFilesOnlyURLFetcher()
    for url in (
        UNROUTABLE,
        "https://example.org/style.css",
        "ftp://example.org/x",
        "http://127.0.0.1:8000/admin/",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_a_file_outside_the_static_folders_is_refused(no_network):
    fetcher = StaticFilesOnlyURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch("file:///etc/passwd")


def test_climbing_out_of_static_is_refused(settings, no_network):
    fetcher = StaticFilesOnlyURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(f"{settings.SITE_URL}/static/../../irtraining/settings.py")
    with pytest.raises(RefusedURL):
        fetcher.fetch(f"{settings.SITE_URL}/static/%2e%2e/%2e%2e/irtraining/settings.py")


def test_our_static_files_are_served_from_disk(settings, no_network):
    fetcher = StaticFilesOnlyURLFetcher()
    response = fetcher.fetch(f"{settings.SITE_URL}/static/documents/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    project_css = settings.STATICFILES_DIRS[0] / "css" / "app.css"
    assert b"CSP" in fetcher.fetch(project_css.as_uri()).read()


def test_data_uris_are_served(no_network):
    response = StaticFilesOnlyURLFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_html_asking_for_an_external_url_fails_at_once_without_the_network(no_network):
    html = f'<html><body><p>Logo</p><img src="{UNROUTABLE}"></body></html>'
    started = time.monotonic()
    with pytest.raises(DocumentRenderError, match="10.255.255.1"):
        pdf_from_html(html)
    assert time.monotonic() - started < 10


def test_html_with_our_stylesheet_renders(no_network):
    html = (
        '<html><head><link rel="stylesheet" href="/static/documents/print.css"></head>'
        "<body><h1>Hello</h1></body></html>"
    )
    assert pdf_from_html(html).startswith(b"%PDF-")
