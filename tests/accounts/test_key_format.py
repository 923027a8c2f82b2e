"""The key format on its own: shape, checksum, hash. No database."""

from __future__ import annotations

import string

import pytest

from accounts import keys


def test_it_generates_keys_of_the_documented_shape() -> None:
    raw = keys.generate()
    assert raw.startswith("dk_live_")
    assert len(raw) == keys.KEY_LENGTH == 8 + 43 + 6
    assert set(raw[8:]) <= set(string.ascii_letters + string.digits)


def test_it_never_generates_the_same_key_twice() -> None:
    assert len({keys.generate() for _ in range(2000)}) == 2000


def test_it_accepts_what_it_generates_and_finds_its_lookup_prefix() -> None:
    raw = keys.generate()
    parsed = keys.parse(raw)
    assert parsed is not None
    assert parsed.lookup == raw[8:20] == keys.lookup_of(raw)


def test_it_rejects_every_single_character_typo() -> None:
    raw = keys.generate()
    for position in range(len(keys.PREFIX), len(raw)):
        for replacement in keys.ALPHABET:
            if replacement != raw[position]:
                typo = raw[:position] + replacement + raw[position + 1 :]
                assert keys.parse(typo) is None, f"typo at {position} accepted"


def test_it_rejects_swapped_neighbours() -> None:
    raw = keys.generate()
    for position in range(len(keys.PREFIX), len(raw) - 1):
        a, b = raw[position], raw[position + 1]
        if a != b:
            assert keys.parse(raw[:position] + b + a + raw[position + 2 :]) is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1],  # truncated
        lambda raw: raw[:40],
        lambda raw: raw + "x",  # pasted with a trailing character
        lambda raw: raw.replace("dk_live_", "dk_test_"),
        lambda raw: raw.replace("dk_live_", ""),
        lambda raw: raw[:20] + "-" + raw[21:],  # not base62
        lambda raw: raw.upper(),
        lambda raw: "",
    ],
)
def test_it_rejects_malformed_keys(mangle) -> None:  # type: ignore[no-untyped-def]
    assert keys.parse(mangle(keys.generate())) is None


def test_the_hash_is_keyed_by_the_pepper() -> None:
    raw = keys.generate()
    stored = keys.keyed_hash(raw, "pepper-one")
    assert len(stored) == 64 and raw not in stored
    assert keys.hash_matches(raw, "pepper-one", stored)
    assert not keys.hash_matches(raw, "pepper-two", stored)
    assert not keys.hash_matches(keys.generate(), "pepper-one", stored)


def test_the_hint_shows_the_start_and_the_end_only() -> None:
    raw = keys.generate()
    hint = keys.hint(keys.lookup_of(raw), keys.tail_of(raw))
    assert hint == f"dk_live_{raw[8:12]}…{raw[-4:]}"


def test_a_parsed_key_does_not_print_its_secret() -> None:
    raw = keys.generate()
    assert raw not in repr(keys.parse(raw))


@pytest.mark.parametrize(("number", "width", "text"), [(0, 3, "000"), (61, 2, "0z"), (62, 2, "10")])
def test_base62_pads_to_a_fixed_width(number: int, width: int, text: str) -> None:
    assert keys.base62(number, width) == text


def test_base62_refuses_a_number_that_does_not_fit() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        keys.base62(62**3, 3)
