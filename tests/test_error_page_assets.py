"""The 500 page names its stylesheet by path (no {% static %}: a broken manifest must not break the
error page too), so nothing else notices when that file moves; this does (it once still named the
removed Bootstrap, issue 14)."""

import re
from pathlib import Path

from django.conf import settings


def test_every_file_the_error_page_names_exists_in_static():
    page = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    named = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert named, "the error page names no stylesheet"
    for path in named:
        assert (Path(settings.BASE_DIR) / "static" / path).is_file(), path
