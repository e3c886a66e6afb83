"""Renders one sample document and saves its first page as a PNG, for people to look at."""

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.django_db


def test_sample_document_first_page_is_saved_as_png(issued, artifacts_dir):
    pdf = artifacts_dir / "documents-sample.pdf"
    shutil.copyfile(issued.file.path, pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(artifacts_dir / "documents-sample-page1"),
        ],
        check=True,
        timeout=60,
    )
    assert (artifacts_dir / "documents-sample-page1.png").stat().st_size > 10_000
