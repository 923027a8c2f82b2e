"""The History page's filters, read from the query string. A value that does not validate is
dropped (a stale bookmark shows everything rather than an error)."""

from __future__ import annotations

from typing import Any

from django import forms

from comparisons.engines import MEDIA_TYPES

TYPE_LABELS = {"image": "Images", "video": "Video", "audio": "Audio",
               "subtitle": "Subtitles", "text": "Text, JSON, CSV, XML"}  # fmt: skip


class HistoryFilterForm(forms.Form):
    type = forms.ChoiceField(
        required=False,
        label="Type",
        choices=[("", "All types"), *((t, TYPE_LABELS.get(t, t.title())) for t in MEDIA_TYPES)],
    )
    match = forms.ChoiceField(
        required=False,
        label="Result",
        choices=[("", "Any result"), ("yes", "Matched"), ("no", "Did not match")],
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="File name",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search file names"}),
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.comparisons_history."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        return {
            "media_type": data.get("type", ""),
            "match": data.get("match", ""),
            "query": (data.get("q") or "").strip(),
        }
