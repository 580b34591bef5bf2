import datetime

from django.core.management.base import BaseCommand, CommandError

from bangban.supervision.jobs import scan_supervision


class Command(BaseCommand):
    help = ("Runs the supervision scan once: issues notices for overdue items, escalates and "
            "refers unanswered ones. The worker (run_worker) runs the same scan continuously.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Scan as on this date (YYYY-MM-DD); default today.")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today: {error}") from None
        total = 0
        while True:
            handled = scan_supervision(day)
            total += handled
            if not handled:
                break
        self.stdout.write(f"Supervision scan: {total} change(s).")
