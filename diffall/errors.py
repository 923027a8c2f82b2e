"""The base of every refusal the domain explains to its user.

Services, storage, detection and fetching raise a `DomainError` subclass that says what went wrong:
`code` names it (stable, machine-readable: the API's `error`, and what a failed job stores) and
`detail` says it in words for the user, with what to do about it. They know nothing of HTTP: the
API maps each class to a status in one table (diffall/api_errors.py) and the website shows the
`detail` as a message.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:  # an error passed on from elsewhere keeps that code
            self.code = code
