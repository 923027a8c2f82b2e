"""Used by `make run`: ensure the demo account exists, print how to sign in and call the API."""

from typing import Any

from django.core.management import BaseCommand

from accounts import services

DEMO_EMAIL = "demo@diffall.local"
DEMO_PASSWORD = "diffall-demo"  # noqa: S105 - printed on purpose: the embedded default is a local demo


class Command(BaseCommand):
    help = "Create (or reset) the demo account and print its login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, port: str, **options: Any) -> None:
        services.user_ensure_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD)
        url = f"http://127.0.0.1:{port}"
        self.stdout.write(
            f"\n  DiffALL is starting on {url}\n"
            f"  Sign in:  {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"  Health:   {url}/healthz\n"
        )
