"""The sales actions' forms: an Enterprise end date, a credit grant or removal with its reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django import forms
from django.utils import timezone


class EnterpriseForm(forms.Form):
    until = forms.DateField(
        required=False,
        label="Enterprise until",
        help_text="UTC, to the end of that day. Leave empty for no end date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self) -> datetime | None:
        day: date | None = self.cleaned_data.get("until")
        if day is None:
            return None
        until = datetime.combine(day, time.max, tzinfo=UTC)
        if until <= timezone.now():
            raise forms.ValidationError("The end date must be today or later.")
        return until


class CreditsForm(forms.Form):
    GRANT, REMOVE = "grant", "remove"

    change = forms.ChoiceField(
        choices=[(GRANT, "Grant"), (REMOVE, "Remove")],
        initial=GRANT,
        widget=forms.RadioSelect,
        label="Grant or remove",
    )
    amount = forms.IntegerField(label="Credits", min_value=1, max_value=1_000_000)
    reason = forms.CharField(
        max_length=500,
        strip=True,
        help_text="Required: it goes into the customer's ledger and history.",
    )

    def signed_amount(self) -> int:
        """The amount to add to the paid balance: negative for a removal."""
        amount: int = self.cleaned_data["amount"]
        return -amount if self.cleaned_data["change"] == self.REMOVE else amount
