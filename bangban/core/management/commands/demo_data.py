import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bangban.catalog.models import Matter
from bangban.core.demo import PASSWORD, DemoDataError, build_demo


class Command(BaseCommand):
    help = (
        "Build the demo agency (Binzhou city and two districts): departments, staff, "
        "companies, projects and cases in every state, played through the case services. "
        "Running it again adds only what is missing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        if not Matter.objects.filter(is_active=True).exists():
            self.stdout.write("The catalog is empty; loading it first.")
            call_command("load_catalog", stdout=self.stdout, stderr=self.stderr)
        try:
            result = build_demo(log=self.stdout.write)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        if result.already_present:
            self.stdout.write(self.style.WARNING(
                "The demo data was already present; nothing was changed."
            ))
        else:
            made = ", ".join(f"{count} {name}" for name, count in result.created.items() if count)
            self.stdout.write(self.style.SUCCESS(
                f"Demo data created in {time.monotonic() - started:.1f} s: {made}."
            ))

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(
            f"Demo accounts — every one has the password: {PASSWORD}"
        ))
        self._table(result.main_accounts)
        if result.other_accounts:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING("More staff accounts"))
            self._table(result.other_accounts)
        if result.company_accounts:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(
                "Company accounts (each company's representative)"
            ))
            self._table(result.company_accounts)
        self.stdout.write("")
        self.stdout.write(f"Password for all of them: {PASSWORD}")

    def _table(self, accounts):
        width = max((len(a.username) for a in accounts), default=0)
        for account in accounts:
            self.stdout.write(
                f"  {account.username.ljust(width)}  {account.full_name}  "
                f"{account.role} · {account.where}"
            )
