from django.core.management.base import BaseCommand

from bangban.dashboards.tallies import recount_tallies


class Command(BaseCommand):
    help = ("Counts the dashboard's per-case tallies again from the items and lists those that "
            "differ; with --repair, installs the triggers again (for the current TIME_ZONE) and "
            "replaces the tallies by the recount.")

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true")

    def handle(self, *args, repair=False, **options):
        wrong = recount_tallies(repair=repair)
        for table, key in wrong[:20]:
            self.stdout.write(f"{table} {key}")
        verb = "repaired" if repair else "differ"
        self.stdout.write(f"{len(wrong)} tally rows {verb}.")
