from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangban.notifications.loader import (
    DEFAULT_TEMPLATES_FILE,
    TemplatesFileError,
    load_templates,
)


class Command(BaseCommand):
    # A property because argparse cannot format a lazy translation.
    @property
    def help(self):
        return _(
            "Load the default e-mail and SMS notification templates from a TOML file. "
            "Templates that already exist are kept (administrators may have edited them) "
            "unless --replace is given."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=DEFAULT_TEMPLATES_FILE,
            help=_("Templates file to load (default: the bundled templates.toml)."),
        )
        parser.add_argument(
            "--replace", action="store_true",
            help=_("Overwrite existing templates with the file's texts."),
        )

    def handle(self, *args, file, replace, **options):
        try:
            summary = load_templates(file, replace=replace)
        except TemplatesFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(
            _("Notification templates loaded from %(file)s: %(created)s created, "
              "%(updated)s replaced, %(kept)s kept.")
            % {"file": file, **vars(summary)}
        ))
