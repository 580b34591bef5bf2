import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

WORKER_STOP_SECONDS = 20


def runserver(addrport, use_reloader):
    call_command("runserver", addrport, use_reloader=use_reloader)


class Command(BaseCommand):
    # A property because argparse cannot format a lazy translation.
    @property
    def help(self):
        return _(
            "Run the development web server and the background worker together, for the demo "
            "on one machine. Ctrl-C stops both. In production run the web server (any WSGI "
            "server) and manage.py run_worker as separate processes instead."
        )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help=_("Address and port of the web server."))
        parser.add_argument("--noreload", action="store_false", dest="use_reloader",
                            help=_("Do not restart the web server when code changes."))

    def handle(self, *args, addrport, use_reloader, **options):
        if os.environ.get("RUN_MAIN") == "true":
            # The autoreloader's child process: only the web server; the worker runs beside
            # the outer process and is not restarted with every code change.
            runserver(addrport, use_reloader)
            return
        worker = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker"],
            env=os.environ.copy(),
        )
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            runserver(addrport, use_reloader)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop_worker(worker)
            self.stdout.write(_("Web server and worker stopped."))


def _exit_on_sigterm(signum, frame):
    raise SystemExit(0)


def stop_worker(worker):
    """Asks the worker to finish what it is doing; kills it if it does not within a while."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
