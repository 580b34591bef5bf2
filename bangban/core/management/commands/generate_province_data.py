import time

from django.core.management.base import BaseCommand, CommandError

from bangban.cases.models import Case
from bangban.companies.models import Company
from bangban.core import province_data
from bangban.projects.models import Project


class Command(BaseCommand):
    help = (
        "Generate a province-scale dataset for load tests: 100,000 projects with one case each, "
        "2,500,000 items, about 5,000 staff and 50,000 company users (--scale to shrink it). "
        "Refuses a database that already holds projects, cases or companies unless --force; "
        "running it again once the dataset exists changes nothing. Never on a real deployment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="fraction of the province's size (default 1)")
        parser.add_argument("--password", default="bangban-load-2026",
                            help="the password of every generated account")
        parser.add_argument("--force", action="store_true",
                            help="add the dataset to a database that already holds data")

    def handle(self, *args, scale, password, force, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be greater than 0 and at most 10.")
        if province_data.already_generated():
            self.stdout.write(self.style.WARNING(
                "The province dataset is already present; nothing was changed."))
            return
        if not force and any(model.objects.exists() for model in (Project, Case, Company)):
            raise CommandError("The database already holds projects, cases or companies; "
                               "use --force to add the dataset beside them.")
        started = time.monotonic()
        sizes = province_data.generate(scale=scale, password=password, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Generated in {time.monotonic() - started:.0f} s: {sizes.projects:,} projects, "
            f"{sizes.items:,} items, {sizes.staff:,} staff, {sizes.company_users:,} company "
            f"users. The province's supervisor is {province_data.SUPERVISOR!r}; every "
            "account has the password given by --password."))
