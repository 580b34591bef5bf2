import signal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bangban.core.worker import STOP, load_jobs, run


class Command(BaseCommand):
    # A property because argparse cannot format a lazy translation.
    @property
    def help(self):
        return _(
            "Run the background worker: delivers e-mail and SMS from the outbox and runs the "
            "other jobs of BANGBAN_WORKER_JOBS, until stopped with Ctrl-C or SIGTERM. Run as "
            "many workers as you like; they never handle the same row twice."
        )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help=_("Run every job once and exit."))
        parser.add_argument("--sleep", type=float, default=None,
                            help=_("Seconds to wait when nothing was due "
                                   "(default: BANGBAN_WORKER_SLEEP_SECONDS)."))

    def handle(self, *args, once, sleep, **options):
        jobs = load_jobs()
        if sleep is None:
            sleep = settings.BANGBAN_WORKER_SLEEP_SECONDS
        if once:
            handled = run(jobs, sleep=sleep, once=True)
            self.stdout.write(_("Worker round done: %(count)s row(s) handled.")
                              % {"count": handled})
            return
        STOP.clear()

        def request_stop(signum, frame):
            # Finish the row at hand, then leave (a message being sent is sent and recorded).
            STOP.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(_("Worker started (jobs: %(jobs)s; pause %(sleep)s s when idle).")
                          % {"jobs": ", ".join(path for path, _job in jobs), "sleep": sleep})
        self.stdout.flush()
        run(jobs, sleep=sleep, stop=STOP)
        self.stdout.write(_("Worker stopped."))
