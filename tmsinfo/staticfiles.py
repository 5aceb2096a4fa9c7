"""Stylesheets as a phone gets them: without the comments written for the people who keep them.

static/css/*.css explain their choices in comments; a reader's phone has no use for them, and they
are about a fifth of the compressed stylesheet (tests/test_page_weight.py holds a page's HTML and
CSS to 20 KB compressed). collectstatic reads files through the finder below, so the collected
copy, its hashed name and whitenoise's compressed copies all come without comments. No build tool;
with DEBUG on, the source is served as written.
"""

import re

from django.contrib.staticfiles.finders import FileSystemFinder
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

# site.css has no "/*" inside a string or a url(), so a comment is everything from "/*" to "*/".
_COMMENT_RE = re.compile(r"[ \t]*/\*.*?\*/[ \t]*\n?", re.S)


def without_comments(css: str) -> str:
    return _COMMENT_RE.sub("", css)


class _ShippedStorage(FileSystemStorage):
    def _open(self, name, mode="rb"):
        if not name.endswith(".css"):
            return super()._open(name, mode)
        with super()._open(name, "rb") as source:
            css = source.read().decode("utf-8")
        return ContentFile(without_comments(css).encode("utf-8"), name=name)


class ShippedFilesFinder(FileSystemFinder):
    """STATICFILES_DIRS, as FileSystemFinder finds them, with stylesheets read without comments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix, root in self.locations:
            storage = _ShippedStorage(location=root)
            storage.prefix = prefix
            self.storages[root] = storage
