"""Compile the interface's translations (locale/<lang>/LC_MESSAGES/django.po) to .mo files.

Django's own `compilemessages` needs GNU gettext's msgfmt, which a fresh machine may not have;
`make run` and `make test` call this instead, so they need nothing but the Python packages.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo (no GNU gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
                self.stdout.write(f"Compiled {po_path.relative_to(settings.BASE_DIR)}")
        if not compiled:
            self.stdout.write("Translations are compiled.")
