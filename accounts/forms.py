from __future__ import annotations

from django import forms


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        strip=True,
        help_text="So you can tell your keys apart, e.g. “CI pipeline” or “laptop script”.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. CI pipeline", "autocomplete": "off"}),
    )
