"""`manage.py scan_warnings [--all]`: the warning-light scan of the worker, run once.

Without options it handles the items whose next check has come (as the worker does); with
`--all` it re-reads every running clock, e.g. after changing warning policies.
"""

from django.core.management.base import BaseCommand

from bangban.deadlines.jobs import rescan_all, scan_warning_levels


class Command(BaseCommand):
    help = "Re-read the items' clocks and record every change of warning light."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything",
                            help="Re-read every running clock, not only those due for a check.")

    def handle(self, *args, everything=False, **options):
        changed = rescan_all() if everything else scan_warning_levels()
        self.stdout.write(f"{changed}")
