"""The result page's "Details": every metric an engine reports has a human label and a unit
(SSIM 0.924, PSNR 31.2 dB, WER 3.1 %, "file2 starts 0.8 s later"), the facts about each file
sit side by side, and no value reads like Python (True, None, {'a': 1})."""

from __future__ import annotations

import json
from pathlib import Path

from comparisons.engines import Options, get_engine, no_progress
from comparisons.results import labels, wording
from tests.engines import media_audio, media_texts, media_videos


def test_it_words_the_figures_people_know_with_their_units() -> None:
    shown = labels.details(
        {"ssim": 0.92431, "psnr": 31.24, "wer": 0.031, "offset_s": 0.8, "changed_area_pct": 2.7}
    )
    assert dict(shown.pair) == {
        "Structural similarity (SSIM)": "0.924",
        "Peak signal-to-noise ratio (PSNR)": "31.2 dB",
        "Word error rate (WER)": "3.1 %",
        "Offset": "file2 starts 0.8 s later",
        "Area of the changed regions": "2.7 %",
    }


def test_it_puts_each_files_facts_side_by_side() -> None:
    shown = labels.details(
        {"width_a": 512, "height_a": 384, "width_b": 1024, "height_b": 768, "format_a": "png",
         "format_b": "jpeg", "sample_rate_a": 22050, "encoding_b": "utf-8"}
    )  # fmt: skip
    assert shown.each == [
        ("Format", "PNG", "JPEG"),
        ("Size", "512 \u00d7 384 px", "1,024 \u00d7 768 px"),
        ("Sample rate", "22,050 Hz", "—"),
        ("Encoding", "—", "UTF-8"),
    ]
    assert shown.pair == []


def test_a_metric_with_no_label_yet_still_reads_as_words_and_json() -> None:
    shown = labels.details({"brand_new_score": True, "nested": {"a": None}, "many": 12345})
    assert dict(shown.pair) == {
        "Brand new score": "true", "Nested": '{"a": null}', "Many": "12,345",
    }  # fmt: skip


def test_the_same_key_on_another_scale_is_labelled_for_its_media_type() -> None:
    assert labels.details({"aligned_similarity": 0.79}, "audio").pair == [
        ("Similarity once lined up", "79.0 %")
    ]
    assert labels.details({"aligned_similarity": 65.9}, "video").pair == [
        ("Similarity once lined up", "65.9")
    ]


def test_it_says_delays_in_words() -> None:
    assert wording.file2_starts(0.8) == "file2 starts 0.8 s later"
    assert wording.file2_starts(-1.25) == "file2 starts 1.25 s earlier"
    assert wording.file2_starts(0.0) == "Both files start together"
    assert wording.cues_come(400) == "file2's cues come 0.4 s later"
    assert wording.timecode(63.043) == "00:01:03,043"
    assert wording.timecode(3725.5) == "01:02:05,500"
    assert wording.clock(75.5) == "1:15.5"


def _real_metrics(tmp: Path, images: dict[str, Path], texts: dict[str, Path]) -> list[dict]:
    """The metrics of one comparison of every kind, made by the engines from real files."""
    json_a = tmp / "a.json"
    json_a.write_text(json.dumps({"a": 1, "b": [1, 2]}))
    json_b = tmp / "b.json"
    json_b.write_text(json.dumps({"a": 2, "b": [1, 2, 3]}))
    csv_a = tmp / "a.csv"
    csv_a.write_text("city,population\nLisbon,545923\nPorto,231800\n")
    csv_b = tmp / "b.csv"
    csv_b.write_text("city,population\nLisbon,545923\nPorto,232125\n")
    xml_a = tmp / "a.xml"
    xml_a.write_text('<shelf><book id="1">Dune</book></shelf>')
    xml_b = tmp / "b.xml"
    xml_b.write_text('<shelf><book id="2">Dune</book></shelf>')
    cues = media_texts.cues_from(["One sentence here.", "And another one there."])
    srt_a = media_texts.write(tmp / "a.srt", media_texts.srt(cues))
    srt_b = media_texts.write(tmp / "b.srt", media_texts.srt(media_texts.shifted(cues, 400)))
    speech = media_audio.fit(media_audio.speak("one two three four five six"), 4.0)
    wav = media_audio.encode(speech, tmp / "a.wav")
    mp3 = media_audio.encode(media_audio.with_noise(speech, 25.0), tmp / "b.mp3")
    board = media_videos.default_board(seconds=3.0)
    mp4_a = media_videos.write_video(tmp / "a.mp4", board)
    mp4_b = media_videos.write_video(tmp / "b.mp4", board.replaced(1.0, 2.0, "moon"))
    runs = [
        ("image", images["astronaut"], images["astronaut_edited"], ""),
        ("image", images["astronaut"], images["astronaut_jpeg"], "feature"),
        ("text", texts["apache"], texts["apache_edited"], ""),
        ("text", json_a, json_b, ""), ("text", csv_a, csv_b, ""), ("text", xml_a, xml_b, ""),
        ("subtitle", srt_a, srt_b, ""), ("audio", wav, mp3, ""), ("video", mp4_a, mp4_b, ""),
    ]  # fmt: skip
    return [
        {"type": kind, **get_engine(kind).compare(a, b, Options(mode=mode), no_progress).metrics}
        for kind, a, b, mode in runs
    ]


def test_every_metric_the_engines_report_has_a_label(
    tmp_path: Path, images: dict[str, Path], texts: dict[str, Path]
) -> None:
    for metrics in _real_metrics(tmp_path, images, texts):
        kind = metrics.pop("type")
        unlabelled = sorted(key for key in metrics if not labels.known(key))
        assert unlabelled == [], f"{kind}: add these to comparisons/results/labels.py"
        shown = labels.details(metrics, kind)
        for label, value in shown.pair:
            assert "_" not in label, (kind, label)
            assert value not in ("True", "False", "None"), (kind, label, value)
