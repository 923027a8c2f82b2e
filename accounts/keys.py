"""API keys as strings: generation, checksum, keyed hash. Pure functions, no Django.

A key reads `dk_live_` + 43 base62 characters (32 random bytes) + 6 base62 characters of CRC32.

- The checksum lets the authentication reject a mistyped or truncated key before touching the
  database (CRC32 catches every single-character typo and every truncation the length check
  misses), and lets secret scanners recognise a DiffALL key with few false positives.
- The first `LOOKUP_LENGTH` characters of the random part are stored in clear as an indexed lookup
  prefix, so a valid key costs one indexed query. They carry ~71 bits; the remaining ~185 bits are
  never stored.
- Only HMAC-SHA256(pepper, key) is stored. The pepper lives in the environment, not the database,
  so a leaked database dump alone cannot be used to test guesses offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass, field

PREFIX = "dk_live_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_BYTES = 32
BODY_LENGTH = 43  # ceil(256 bits / log2(62)): every 32-byte value fits, zero-padded
CHECKSUM_LENGTH = 6  # 62**6 > 2**32: every CRC32 fits
LOOKUP_LENGTH = 12
KEY_LENGTH = len(PREFIX) + BODY_LENGTH + CHECKSUM_LENGTH
HINT_TAIL = 4

_ALPHABET_SET = frozenset(ALPHABET)


@dataclass(frozen=True)
class ParsedKey:
    """A key whose shape and checksum are right; it may still be unknown or revoked."""

    raw: str = field(repr=False)  # never in a log line or a traceback's repr
    lookup: str


def base62(number: int, width: int) -> str:
    """`number` in base62, left-padded with zeros to exactly `width` characters."""
    if number < 0 or number >= len(ALPHABET) ** width:
        raise ValueError(f"{number} does not fit in {width} base62 characters")
    digits: list[str] = []
    for _ in range(width):
        number, remainder = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def checksum(body: str) -> str:
    """CRC32 of the random part, as 6 base62 characters."""
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate() -> str:
    """A new random key with its checksum."""
    body = base62(int.from_bytes(secrets.token_bytes(RANDOM_BYTES), "big"), BODY_LENGTH)
    return PREFIX + body + checksum(body)


def parse(candidate: str) -> ParsedKey | None:
    """The key's lookup prefix when `candidate` is well formed with a valid checksum, else None.

    Costs no I/O: this is what rejects typos and truncations without a database query."""
    if len(candidate) != KEY_LENGTH or not candidate.startswith(PREFIX):
        return None
    rest = candidate[len(PREFIX) :]
    if not _ALPHABET_SET.issuperset(rest):
        return None
    body, check = rest[:BODY_LENGTH], rest[BODY_LENGTH:]
    if not hmac.compare_digest(checksum(body), check):
        return None
    return ParsedKey(raw=candidate, lookup=body[:LOOKUP_LENGTH])


def lookup_of(raw: str) -> str:
    """The lookup prefix stored (indexed, in clear) for a key made by `generate`."""
    return raw[len(PREFIX) : len(PREFIX) + LOOKUP_LENGTH]


def keyed_hash(raw: str, pepper: str) -> str:
    """HMAC-SHA256(pepper, key) in hex: the only form of the secret that is stored."""
    return hmac.new(pepper.encode(), raw.encode(), hashlib.sha256).hexdigest()


def hash_matches(raw: str, pepper: str, stored_hash: str) -> bool:
    """Constant-time comparison, so response timing says nothing about how close a guess was."""
    return hmac.compare_digest(keyed_hash(raw, pepper), stored_hash)


def tail_of(raw: str) -> str:
    """The last characters, kept to show the user which key is which."""
    return raw[-HINT_TAIL:]


def hint(lookup: str, tail: str) -> str:
    """How a stored key is shown: `dk_live_abcd…wxyz`."""
    return f"{PREFIX}{lookup[:4]}…{tail}"
