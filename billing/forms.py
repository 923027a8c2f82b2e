"""Forms of the billing app: the website's "Contact sales" form and the sales console's
intermediate forms (enterprise end date, credit grants with a required reason)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.utils import timezone

from billing.models import EnterpriseInquiry


class ContactSalesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EnterpriseInquiry
        fields = ("name", "email", "company", "monthly_volume", "message")
        labels = {"monthly_volume": "Comparisons a month (roughly)"}
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}


class EnterpriseForm(forms.Form):
    until = forms.DateField(
        required=False,
        label="Enterprise until (UTC, end of day; empty = no end date)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self) -> datetime | None:
        day = self.cleaned_data.get("until")
        if day is None:
            return None
        until = datetime.combine(day, time.max, tzinfo=UTC)
        if until <= timezone.now():
            raise forms.ValidationError("The end date must be today or later.")
        return until


class CreditGrantForm(forms.Form):
    amount = forms.IntegerField(
        label="Credits (negative to remove)", min_value=-1_000_000, max_value=1_000_000
    )
    reason = forms.CharField(
        max_length=500, strip=True, help_text="Required: it is written to the customer's ledger."
    )

    def clean_amount(self) -> int:
        amount: int = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Grant or remove at least one credit.")
        return amount
