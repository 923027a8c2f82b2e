"""`manage.py create_api_key EMAIL [--name NAME] [--credits N] [--enterprise]`

Creates the account when missing (unusable password, email verified), optionally grants paid
credits or the enterprise plan through billing's services, and prints the new key as the LAST
line of stdout, so scripts can take it with `| tail -n1`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from accounts import services
from billing import services as billing


def positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Create an API key for EMAIL (creating the account if needed); prints the key last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="the key's name in the panel")
        parser.add_argument("--credits", type=positive, help="grant this many paid credits")
        parser.add_argument(
            "--enterprise", action="store_true", help="put the account on the enterprise plan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = self._email(options["email"])
        with transaction.atomic():
            user, created = services.user_get_or_create(email=email)
            if options["credits"]:
                billing.credits_grant_admin(
                    user=user, amount=options["credits"], reason="manage.py create_api_key"
                )
            if options["enterprise"]:
                billing.plan_set_enterprise(user=user)
            api_key, raw = services.api_key_create(user=user, name=options["name"])
        self.stdout.write(f"{'Created' if created else 'Found'} account {user.email}")
        if options["credits"]:
            self.stdout.write(f"Granted {options['credits']} paid credits")
        if options["enterprise"]:
            self.stdout.write("Account is on the enterprise plan")
        self.stdout.write(f"API key “{api_key.name}” ({api_key.hint}), shown once:")
        self.stdout.write(raw)

    def _email(self, value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise CommandError(f"{value!r} is not an email address") from None
        return value
