"""Forms of the billing app's website pages: "Contact sales". The sales console's forms are in
billing/console/forms.py."""

from __future__ import annotations

from django import forms

from billing.models import EnterpriseInquiry


class ContactSalesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EnterpriseInquiry
        fields = ("name", "email", "company", "monthly_volume", "message")
        labels = {"monthly_volume": "Comparisons a month (roughly)"}
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}
