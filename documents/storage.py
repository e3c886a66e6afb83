"""Private storage: a folder under MEDIA_ROOT that no URL serves.

Files leave it only through the permission-checked download view, so the storage refuses to make a
URL for them. It is a file system storage on purpose: the renderer writes through a temporary file
and ``os.replace`` so a re-run never leaves two files.
"""

from typing import NoReturn

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name: str | None) -> NoReturn:
        raise NotImplementedError("Private files have no URL: serve them through a view.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage
