"""`manage.py create_sales_user EMAIL [--password PASSWORD]`

Makes EMAIL a Sales user (creating the account when missing): staff, in the Sales group, holding
exactly the sales console's permissions (billing/console/roles.py) — never a superuser.

Without --password it prints a one-time link where the salesperson chooses their own password
(the site's password-reset page: it works once, for PASSWORD_RESET_TIMEOUT, 3 days by default),
so whoever runs the command never knows it. --password sets one directly (for scripts); it must
pass the site's password rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from accounts import services as accounts
from billing.console import roles
from diffall.links import site_url_offline


class Command(BaseCommand):
    help = "Make EMAIL a Sales user of the sales console; prints a link to set the password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--password", help="set this password instead of printing a link to choose one"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = _email(options["email"])
        try:
            with transaction.atomic():
                user, created = roles.sales_user_create(email=email)
                if options["password"] is not None:
                    accounts.user_set_password(user=user, password=options["password"])
        except roles.RoleError as exc:
            raise CommandError(exc.detail) from None
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        console = f"{site_url_offline()}{reverse('admin:index')}"
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {user.email}: a Sales user "
            f"(staff, group “{roles.SALES_GROUP}”, not a superuser)."
        )
        if options["password"] is None:
            days = round(settings.PASSWORD_RESET_TIMEOUT / 86400)
            self.stdout.write(f"Choose the password here (works once, for {days} days):")
            self.stdout.write(accounts.password_set_link(user=user))
        self.stdout.write(f"Then sign in to the sales console: {console}")


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CommandError(f"{value!r} is not an email address") from None
    return value
