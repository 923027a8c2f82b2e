"""What the user reads: results, account details and errors, with rich. Results go to stdout;
progress, per-file lines and errors to stderr, so `--json` output stays clean for a pipe.

Everything that comes from a file name or an answer is escaped before rich sees it (a file named
`[red]x.png` must print as itself)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from diffall_cli.api import ApiError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

_LEADS = {
    400: "DiffALL refused the request",
    401: "The API key was refused",
    402: "No credits left",
    403: "This key may not do that",
    404: "Not found",
    413: "A file is too large",
    422: "The files could not be compared",
}
_HINTS = {
    401: "Set DIFFALL_API_KEY (or --api-key) to a key from the API Keys panel of your DiffALL "
    "account; a revoked key stays refused.",
    402: "`diffall whoami` shows what is left today.",
}


def explain(exc: ApiError) -> str:
    """One message for an error answer: what it means, the API's own detail, what to do."""
    lead = _LEADS.get(exc.status, f"DiffALL answered HTTP {exc.status}")
    if exc.status >= 500:
        lead = f"DiffALL had a server error (HTTP {exc.status}); try again later"
    text = f"{lead} (HTTP {exc.status} {exc.code}): {exc.detail}"
    hint = _HINTS.get(exc.status)
    return f"{text} {hint}" if hint else text


def error(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}")


def _rows(rows: list[tuple[str, str]]) -> None:
    """Label/value lines, the values aligned (plain lines: no table padding in CI logs)."""
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        out.print(f"[dim]{escape(label.ljust(width))}[/]{escape(value)}", highlight=False)


def result(answer: dict[str, Any], matched: bool) -> None:
    """A finished comparison: score and verdict first, then what changed, then the details."""
    similarity = answer.get("similarity")
    threshold = answer.get("threshold")
    if matched:
        head = f"[bold green]✔ match[/]     {similarity} / 100  [dim](threshold {threshold})[/]"
    else:
        head = f"[bold red]✘ no match[/]  {similarity} / 100  [dim](threshold {threshold})[/]"
    out.print(head, highlight=False)
    rows = [("Verdict", str(answer.get("verdict", "")))]
    if answer.get("summary"):
        rows.append(("Summary", str(answer["summary"])))
    if "identical" in answer:
        rows.append(("Identical", "yes" if answer["identical"] else "no"))
    kind = " · ".join(str(p) for p in (answer.get("type"), answer.get("mode")) if p) or "unknown"
    if answer.get("processing_time_ms") is not None:
        kind += f" · {answer['processing_time_ms']} ms"
    rows += [("Type", kind), ("Job", str(answer.get("job_id", "")))]
    if "credits_remaining" in answer:
        left = answer["credits_remaining"]
        rows.append(("Credits left", "unlimited" if left is None else str(left)))
    _rows(rows)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _plan(me: dict[str, Any]) -> str:
    plan = str(me["plan"])
    if plan == "enterprise":
        until = me.get("enterprise_until")
        plan += f" (until {until})" if until else " (no end date)"
    return plan


def _credits(me: dict[str, Any]) -> str:
    if me.get("plan") == "enterprise":
        return "unlimited"
    free, paid = me.get("free_left_today", 0), me.get("paid_credits", 0)
    return f"{free + max(paid, 0)} ({free} free today + {paid} paid)"


_SHOWN = ("email", "key", "plan", "enterprise_until", "free_left_today", "paid_credits")


def account(me: dict[str, Any]) -> None:
    """GET /api/v1/me: the account, the key, the plan and the credits left; anything else the
    server adds is printed too, in the order it gives it."""
    rows = [("Account", str(me.get("email", "?")))]
    key = me.get("key")
    if isinstance(key, dict):
        rows.append(("Key", f"{key.get('name', '')} ({key.get('hint', '')})".strip()))
    if "plan" in me:
        rows.append(("Plan", _plan(me)))
    if "free_left_today" in me or "paid_credits" in me:
        rows.append(("Credits left", _credits(me)))
    for name, value in me.items():
        if name not in _SHOWN:
            rows.append((name.replace("_", " ").capitalize(), _value(value)))
    _rows(rows)
