"""Delivery metrics on hand-built transcripts: exact numbers, no audio or model."""

from __future__ import annotations

import pytest

from mockiv.core import delivery
from mockiv.core.transcript import Transcript, Word


def timed(*items: tuple[str, float, float]) -> Transcript:
    return Transcript(tuple(Word(t, s, e) for t, s, e in items), duration=items[-1][2] + 0.5)


def evenly(text: str, start: float = 0.5, word_s: float = 0.4, gap_s: float = 0.0) -> Transcript:
    words, t = [], start
    for token in text.split():
        words.append(Word(token, round(t, 3), round(t + word_s, 3)))
        t += word_s + gap_s
    return Transcript(tuple(words), duration=t)


def categories(text: str) -> list[tuple[str, str]]:
    return [(d.category, d.text) for d in delivery.find_disfluencies(Transcript.from_text(text))]


def test_pace_from_word_times() -> None:
    # 10 words, each 0.4 s, no gaps: 4 s of speech -> 150 WPM.
    metrics = delivery.compute(evenly("one two three four five six seven eight nine ten"))
    assert metrics.wpm == pytest.approx(150.0)
    assert metrics.articulation_wpm == pytest.approx(150.0)
    assert metrics.time_to_first_word_s == pytest.approx(0.5)
    assert metrics.timed


def test_articulation_rate_leaves_out_long_gaps() -> None:
    t = timed(("I", 0.0, 0.3), ("fixed", 0.3, 0.6), ("it.", 0.6, 0.9), ("Then", 3.9, 4.2), ("tested.", 4.2, 4.5))
    metrics = delivery.compute(t)
    assert metrics.wpm == pytest.approx(5 / 4.5 * 60, rel=1e-3)
    assert metrics.articulation_wpm == pytest.approx(5 / 1.5 * 60, rel=1e-3)
    assert [round(p.duration, 2) for p in metrics.pauses] == [3.0]
    assert metrics.pauses[0].after_index == 2
    assert metrics.long_pause_count == 1
    assert metrics.longest_pause_s == pytest.approx(3.0)


def test_short_gaps_are_not_pauses() -> None:
    metrics = delivery.compute(evenly("we shipped it on time and on budget", gap_s=1.0))
    assert metrics.pauses == ()
    metrics = delivery.compute(evenly("we shipped it on time and on budget", gap_s=1.3))
    assert len(metrics.pauses) == 7 and metrics.long_pause_count == 0


def test_windowed_pace_and_variability() -> None:
    fast = evenly(" ".join(["word"] * 60), start=0.0, word_s=0.25)  # 15 s at 240 WPM
    slow_words = [Word("word", 15.0 + i * 0.6, 15.0 + i * 0.6 + 0.5) for i in range(25)]  # 15 s at 100 WPM
    metrics = delivery.compute(Transcript(fast.words + tuple(slow_words), duration=31.0))
    rates = [w.wpm for w in metrics.pace_windows]
    assert len(rates) >= 2
    assert rates[0] > rates[-1]
    assert metrics.pace_variability is not None and metrics.pace_variability > 0.15
    steady = delivery.compute(evenly(" ".join(["word"] * 150), start=0.0, word_s=0.4))
    assert steady.pace_variability is not None and steady.pace_variability < 0.05


def test_untimed_transcript_reports_timing_as_unavailable() -> None:
    metrics = delivery.compute(Transcript.from_text("Um, I led the migration, you know, last year."))
    assert not metrics.timed
    assert metrics.wpm is None and metrics.pauses == () and metrics.fillers_per_min is None
    assert metrics.filler_count == 2
    assert metrics.word_count == 9


def test_hesitations_with_times() -> None:
    t = timed(("So,", 0.0, 0.2), ("umm,", 0.3, 0.6), ("we", 0.7, 0.8), ("uh", 0.9, 1.1), ("shipped.", 1.2, 1.6))
    metrics = delivery.compute(t)
    hesitations = [(d.text, d.start) for d in metrics.disfluencies if d.category == "hesitation"]
    assert hesitations == [("umm,", 0.3), ("uh", 0.9)]
    assert metrics.filler_count == 3  # "So," opens the answer and is set off by a comma
    assert metrics.fillers_per_min == pytest.approx(3 / 1.6 * 60, rel=1e-3)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I like Python.", []),
        ("It looks like the cache was stale.", []),
        ("We would like to ship faster.", []),
        ("It was, like, a total mess.", [("discourse", "like,")]),
        ("And like, nobody owned the service.", [("discourse", "like,")]),
        ("It was like 50 users a day.", [("discourse", "like")]),
        ("Tools like Terraform and Ansible.", []),
    ],
)
def test_like_only_in_filler_position(text: str, expected: list[tuple[str, str]]) -> None:
    assert categories(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What kind of database was it?", []),
        ("It was kind of slow.", [("discourse", "kind of")]),
        ("That sort of problem is common.", []),
        ("I sort of owned the rollout.", [("discourse", "sort of")]),
        ("Do you know the answer?", []),
        ("We moved fast, you know, and broke things.", [("discourse", "you know,")]),
        ("I mean, it worked.", [("discourse", "I mean,")]),
        ("I mean it when I say it.", []),
        ("Basically we rewrote it.", [("discourse", "Basically")]),
        ("What actually happened was a race.", []),
        ("Actually, I owned that part.", [("discourse", "Actually,")]),
        ("So we shipped.", []),
    ],
)
def test_phrases_and_positional_markers(text: str, expected: list[tuple[str, str]]) -> None:
    assert categories(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I I wrote the script.", [("repetition", "I")]),
        ("We moved, we moved the cluster.", [("repetition", "We moved,")]),
        ("It had had an impact.", []),
        ("That that is fine.", []),
        ("We migr- we moved the cluster.", [("false-start", "migr-")]),
    ],
)
def test_repetitions_and_false_starts(text: str, expected: list[tuple[str, str]]) -> None:
    assert categories(text) == expected


def test_metrics_serialise_to_json_ready_dict() -> None:
    metrics = delivery.compute(timed(("Um,", 0.0, 0.3), ("done.", 2.0, 2.4)))
    data = metrics.to_dict()
    assert data["pauses"][0]["duration"] == pytest.approx(1.7)
    assert data["disfluencies"][0]["category"] == "hesitation"
    assert data["thresholds_version"] == delivery.thresholds()["version"]


def test_empty_transcript() -> None:
    metrics = delivery.compute(Transcript(()))
    assert metrics.word_count == 0 and metrics.filler_ratio == 0.0 and not metrics.timed
