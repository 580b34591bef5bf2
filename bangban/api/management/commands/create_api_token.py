"""Creates an API token and prints its key — the only time the key is shown."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bangban.api.scopes import SCOPES
from bangban.api.services import create_api_token


class Command(BaseCommand):
    help = "Creates an API token acting as a user; prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument("--name", required=True, help="Which system uses the token.")
        parser.add_argument("--scope", action="append", dest="scopes", choices=list(SCOPES),
                            required=True, help="A scope; repeat for several.")
        parser.add_argument("--expires-in-days", type=int, default=None,
                            help="Days until the token expires; without it, it never does.")

    def handle(self, *args, username, name, scopes, expires_in_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        expires_at = None
        if expires_in_days is not None:
            expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
        try:
            issued = create_api_token(user=user, name=name, scopes=scopes,
                                      expires_at=expires_at)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        token = issued.token
        self.stderr.write(f"Token {token.pk} “{token.name}” for {user.username}, scopes "
                          f"{', '.join(token.scopes)}"
                          + (f", expires {token.expires_at:%Y-%m-%d %H:%M}" if expires_at
                             else "")
                          + ". The key is shown only now:")
        self.stdout.write(issued.key)
