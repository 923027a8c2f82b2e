"""Used by `make run`: ensure the demo account exists, print how to sign in and call the API."""

from __future__ import annotations

from typing import Any

from django.core.management import BaseCommand, CommandParser
from django.db import transaction

from accounts import selectors, services

DEMO_EMAIL = "demo@diffall.local"
DEMO_PASSWORD = "diffall-demo"  # noqa: S105 - printed on purpose: the embedded default is a local demo
DEMO_KEY_NAME = "make run"


class Command(BaseCommand):
    help = "Create (or reset) the demo account and print its login and a fresh API key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, port: str, **options: Any) -> None:
        with transaction.atomic():
            user = services.user_ensure_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD)
            # Each `make run` makes a new key (the old one cannot be shown again): revoke the
            # previous ones so they do not pile up in the panel.
            for old in selectors.api_keys_for(user=user).filter(name=DEMO_KEY_NAME):
                services.api_key_revoke(api_key=old)
            _, raw = services.api_key_create(user=user, name=DEMO_KEY_NAME)
        url = f"http://127.0.0.1:{port}"
        self.stdout.write(
            f"\n  DiffALL is starting on {url}\n"
            f"  Sign in:  {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"  API key:  {raw}\n"
            f"  Try it:   curl -X POST {url}/api/v1/compare -H 'X-API-Key: {raw}' \\\n"
            f"              -F file1=@before.png -F file2=@after.png\n"
            f"  Health:   {url}/healthz\n"
        )
