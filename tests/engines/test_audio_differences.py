"""How the audio engine turns what it matched into changes: stretches said differently at the
same moment are one `changed` span, sound only one file has is `removed` or `added`, shared
audio that sounds degraded is `changed` with a small magnitude, and a delay is `shifted` only
when nothing else accounts for it."""

from __future__ import annotations

from comparisons.engines.audio.differences import CLEAN_SCORE, DEGRADED_DB, FULL_DB, find
from comparisons.engines.audio.match import Segment


def segment(source: tuple[float, float], delay: float = 0.0, score: float = 99.8) -> Segment:
    target = (source[0] + delay, source[1] + delay)
    return Segment(source=source, target=target, score=score, offset_s=delay)


def test_it_pairs_what_each_file_says_at_the_same_moment_as_one_change() -> None:
    shared = [segment((0.0, 25.0), 2.0), segment((30.0, 60.0), 2.0)]

    [change] = find(shared, [(25.0, 30.0)], [(27.0, 32.0)])  # file2 plays it all 2 s later

    assert change["kind"] == "changed"
    assert change["time"] == {
        "source_start": 25.0, "source_end": 30.0, "target_start": 27.0, "target_end": 32.0,
    }  # fmt: skip
    assert change["magnitude"] == 1.0


def test_it_keeps_sound_only_one_file_has_as_removed_or_added() -> None:
    shared = [segment((5.0, 40.0))]

    removed, added = find(shared, [(0.0, 5.0)], [(50.0, 55.0)])

    assert (removed["kind"], removed["time"]["target_start"]) == ("removed", None)
    assert (added["kind"], added["time"]["source_start"]) == ("added", None)
    assert added["time"]["target_start"] == 50.0


def test_it_reports_degraded_shared_audio_once_with_what_it_covers() -> None:
    noisy = segment((0.0, 60.0), score=88.0)

    [change] = find([noisy], [(8.0, 8.7)], [(8.0, 8.7)])  # a word lost in the noise, inside

    assert change["kind"] == "changed"
    assert (change["time"]["source_start"], change["time"]["source_end"]) == (0.0, 60.0)
    assert change["magnitude"] == 0.12


def test_it_calls_a_delay_a_shift_only_when_nothing_else_explains_it() -> None:
    [shift] = find([segment((0.0, 60.0), 1.5)], [], [])
    assert shift["kind"] == "shifted"
    assert shift["magnitude"] == round(1 - 58.5 / 61.5, 3)

    assert find([segment((0.0, 60.0), 0.05)], [], []) == []  # encoder priming
    [removed] = find([segment((1.0, 60.0), -1.0)], [(0.0, 1.0)], [])  # a cut first second
    assert removed["kind"] == "removed"


def test_it_counts_codec_noise_as_no_change() -> None:
    assert find([segment((0.0, 60.0), score=CLEAN_SCORE)], [], [], [DEGRADED_DB]) == []


def test_it_reports_a_shared_stretch_whose_level_differs_beyond_codec_noise() -> None:
    """Noise the score shrugs off (it still matches at 99) still changes the sound: 4 dB."""
    [change] = find([segment((0.0, 60.0), score=99.0)], [], [], [4.0])

    assert change["kind"] == "changed"
    assert change["magnitude"] == 4.0 / FULL_DB
