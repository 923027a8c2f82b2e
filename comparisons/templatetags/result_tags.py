"""Small pieces of the result page that are faster as filters than as includes: a line's words
with the changed ones marked (a diff can have 2,000 rows)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from comparisons.results.textdiff import Piece

register = template.Library()


@register.filter
def marked(pieces: Iterable[Piece] | None, tag: str = "mark") -> SafeString:
    """The pieces escaped, those that differ in <del> (file1) or <ins> (file2)."""
    if tag not in ("del", "ins", "mark"):
        raise ValueError(f"no such mark {tag!r}")
    html = "".join(
        f"<{tag}>{conditional_escape(piece.text)}</{tag}>"
        if piece.marked
        else str(conditional_escape(piece.text))
        for piece in pieces or ()
    )
    return mark_safe(html)  # noqa: S308 - every piece of text was escaped just above


@register.filter
def seconds_attr(value: float) -> str:
    """A time for a data- attribute: plain decimal seconds, whatever the locale."""
    return f"{float(value):.3f}"
