from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangban.catalog.loader import DEFAULT_CATALOG_FILE, CatalogError, load_catalog


class Command(BaseCommand):
    # A property because argparse cannot format a lazy translation.
    @property
    def help(self):
        return _(
            "Load the approval-item catalog (stages, matters, materials, default item sets) "
            "from a TOML file. The whole file is checked first; a bad file changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_CATALOG_FILE,
            help=_("Catalog file to load (default: the bundled catalog.toml)."),
        )

    def handle(self, *args, file, **options):
        try:
            summary = load_catalog(file)
        except CatalogError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Catalog loaded from %(file)s: %(stages)s stages, %(matters)s matters, "
                    "%(materials)s materials, %(default_items)s default items; "
                    "%(created)s created, %(updated)s updated, %(deactivated)s deactivated, "
                    "%(default_sets_replaced)s default item sets replaced."
                )
                % {"file": file, **vars(summary)}
            )
        )
