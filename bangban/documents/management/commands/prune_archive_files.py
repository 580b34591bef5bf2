"""`manage.py prune_archive_files [--hours N] [--dry-run]`: removes stored files no document
names, e.g. when a case action failed after its upload had been written (docs/archive.md)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from bangban.documents.services import prune_orphan_files


class Command(BaseCommand):
    help = "Remove archive files that no document names and that are older than --hours."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24,
                            help="Keep files younger than this (default 24).")
        parser.add_argument("--dry-run", action="store_true",
                            help="List the files without removing them.")

    def handle(self, *args, hours, dry_run, **options):
        older_than = timezone.now() - datetime.timedelta(hours=hours)
        for path in prune_orphan_files(older_than=older_than, dry_run=dry_run):
            self.stdout.write(path)
