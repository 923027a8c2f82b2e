"""manage.py credits_check [--repair]

Recomputes every wallet from the ledger (paid = all paid entries; free = the free entries of the
UTC day the wallet caches) and exits 1 if any cached balance differs. --repair rebuilds the
mismatched wallets from the ledger (the ledger is the truth) after reporting them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import selectors, services


class Command(BaseCommand):
    help = "Check that every wallet's cached balance equals the sum of its ledger entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="rebuild mismatched wallets from the ledger"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = selectors.wallet_mismatches()
        for m in mismatches:
            self.stderr.write(
                f"MISMATCH {m.email} (user {m.user_id}): paid wallet={m.cached_paid} "
                f"ledger={m.ledger_paid}; free today wallet={m.cached_free} ledger={m.ledger_free}"
            )
            if options["repair"]:
                services.wallet_rebuild(user_id=m.user_id)
                self.stderr.write(f"  rebuilt from the ledger: {m.email}")
        if mismatches and not options["repair"]:
            raise CommandError(f"{len(mismatches)} wallet(s) differ from the ledger")
        self.stdout.write(self.style.SUCCESS(_summary(len(mismatches), options["repair"])))


def _summary(count: int, repaired: bool) -> str:
    if count and repaired:
        return f"{count} wallet(s) rebuilt from the ledger."
    return "Every wallet matches the ledger."
