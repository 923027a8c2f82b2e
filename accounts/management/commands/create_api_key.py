"""`manage.py create_api_key EMAIL [--name NAME] [--credits N] [--enterprise]`

Creates the account when missing (unusable password, email verified), optionally grants paid
credits or the enterprise plan through billing's services, and prints the new key as the LAST
line of stdout, so scripts can take it with `| tail -n1`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from accounts import services

BILLING_MISSING = "billing is not installed yet: {option} needs billing.services.{function}"


def billing_service(name: str, option: str) -> Callable[..., Any]:
    """billing.services.<name>, looked up at run time: accounts must not need billing to import."""
    try:
        module = importlib.import_module("billing.services")
    except ImportError:
        module = None
    function = getattr(module, name, None)
    if not callable(function):
        raise CommandError(BILLING_MISSING.format(option=option, function=name))
    return function  # type: ignore[no-any-return]


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
        # Resolve billing before writing anything, so a missing billing app leaves no half-done
        # account behind.
        grant = billing_service("credits_grant_admin", "--credits") if options["credits"] else None
        enterprise = (
            billing_service("plan_set_enterprise", "--enterprise")
            if options["enterprise"]
            else None
        )
        with transaction.atomic():
            user, created = services.user_get_or_create(email=email)
            if grant is not None:
                grant(user=user, amount=options["credits"], reason="manage.py create_api_key")
            if enterprise is not None:
                enterprise(user=user)
            api_key, raw = services.api_key_create(user=user, name=options["name"])
        self.stdout.write(f"{'Created' if created else 'Found'} account {user.email}")
        if grant is not None:
            self.stdout.write(f"Granted {options['credits']} paid credits")
        if enterprise is not None:
            self.stdout.write("Account is on the enterprise plan")
        self.stdout.write(f"API key “{api_key.name}” ({api_key.hint}), shown once:")
        self.stdout.write(raw)

    def _email(self, value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise CommandError(f"{value!r} is not an email address") from None
        return value
