"""Recitation overlap, pace evenness, disfluency absence, the combined verdict, and retelling angles."""

from __future__ import annotations

import pytest

from mockiv.core import delivery, recitation
from mockiv.core.pitch import PitchSummary
from mockiv.core.recitation import (
    Reference,
    Tokens,
    angle_profile,
    assess,
    containment,
    overlap,
    pace_evenness,
    recitation_level,
    repeated_runs,
    retelling_check,
    strongest_overlap,
    tokenize,
    weakest_angle,
)
from mockiv.core.transcript import Transcript, Word

STORY = Reference("story", "pipeline-speed", "Cutting the deployment pipeline", (
    "Developers waited about 50 minutes from merge to production, so they batched changes, and every release "
    "carried more risk. I profiled every stage of the pipeline and found that 30 minutes went on rebuilding "
    "container images from scratch and running the full test suite serially. I introduced layer caching, split "
    "the tests into four parallel jobs by timing data, and moved the security scan to run alongside the tests "
    "instead of after them. Merge to production dropped from 50 to 12 minutes."))

RECITED = ("Developers waited about fifty minutes from merge to production, so they batched changes, and every "
           "release carried more risk. I profiled every stage of the pipeline and found that thirty minutes went on "
           "rebuilding container images from scratch. I introduced layer caching, split the tests into four "
           "parallel jobs by timing data, and merge to production dropped from 50 to 12 minutes.")
PARAPHRASED = ("Our deploys were slow, close to an hour between a merge and production, which meant people bundled "
               "lots of changes into each release. I measured where the time went: most of it was container builds "
               "starting from nothing and tests running one after another. I added caching of image layers, ran the "
               "tests in four parallel groups, and let the security scan happen at the same time as the tests. A "
               "change now reaches production in 12 minutes.")
OTHER = Reference("story", "cost-review", "Finding 35 percent of the cloud bill", (
    "Our cloud bill had doubled in a year while traffic grew by 20 percent, and finance asked engineering to "
    "explain it. I tagged every resource by team using our infrastructure code."))


def timed(text: str, seconds_per_word: float | list[float] = 0.35, gap: float = 0.05) -> Transcript:
    """A timed transcript: each word lasts `seconds_per_word` (one value, or one per word) with `gap` after it."""
    tokens = text.split()
    durations = seconds_per_word if isinstance(seconds_per_word, list) else [seconds_per_word] * len(tokens)
    words, t = [], 0.5
    for token, length in zip(tokens, durations, strict=True):
        words.append(Word(token, round(t, 3), round(t + length, 3), 0.9))
        t += length + gap
    return Transcript(tuple(words), duration=t + 0.5)


# -- tokens and overlap -------------------------------------------------------------------------------------


def test_tokens_fold_numbers_spellings_and_punctuation() -> None:
    assert tokenize("Forty teams, 2,000 users; 30% less behaviour!") == [
        "40", "teams", "2000", "users", "30", "percent", "less", "behavior"]
    assert tokenize("I'm here — it’s done.") == ["i'm", "here", "it's", "done"]


def test_answer_tokens_skip_hesitations_and_keep_word_indices() -> None:
    tokens = Tokens.of(Transcript.from_text("So, um, we moved twelve services"))
    assert tokens.tokens == ("so", "we", "moved", "12", "services")
    assert tokens.word_index == (0, 2, 3, 4, 5)  # "um" (word 1) is left out


def test_repeated_runs_cover_shared_ngrams_in_any_order() -> None:
    reference = "a b c d e f g h".split()
    answer = "x e f g h y a b c d z".split()
    assert repeated_runs(answer, reference, 4) == [(1, 5), (6, 10)]
    assert repeated_runs(answer, reference, 5) == []
    assert repeated_runs("a b".split(), reference, 4) == []


def test_a_misheard_word_splits_a_run_but_keeps_the_rest() -> None:
    reference = "one two three four five six seven eight nine ten eleven twelve".split()
    answer = "one two three four five six sieve eight nine ten eleven twelve".split()
    assert repeated_runs(answer, reference, 4) == [(0, 6), (7, 12)]


def test_near_verbatim_runs_are_bridged_over_small_gaps_only() -> None:
    assert recitation.bridge([(0, 6), (7, 12), (20, 26)], 2) == [(0, 12), (20, 26)]
    assert recitation.bridge([(0, 6), (9, 14)], 2) == [(0, 6), (9, 14)]
    assert recitation.bridge([], 2) == []
    # A misheard word in a recited sentence still leaves one passage, the word included.
    reference = tokenize("I introduced layer caching and split the tests into four parallel jobs by timing data")
    heard = tokenize("I introduced layer caching and split the tests into for parallel jobs by timing data")
    measured = overlap(Tokens.of(Transcript.from_text(" ".join(heard))),
                       Reference("story", "s", "s", " ".join(reference)))
    assert len(measured.passages) == 1 and measured.repeated_tokens == len(heard)


def test_containment_is_the_share_of_answer_ngrams_in_the_reference() -> None:
    assert containment("a b c d e".split(), "a b c d e f".split(), 4) == 1.0
    assert containment("a b c d x".split(), "a b c d e f".split(), 4) == 0.5
    assert containment("a b".split(), "a b c d".split(), 4) == 0.0


def test_recitation_is_measured_and_the_passage_quoted() -> None:
    transcript = Transcript.from_text(RECITED)
    measured = overlap(Tokens.of(transcript), STORY)
    assert measured.repeated_share > 0.9
    assert measured.longest_run >= 30
    quoted = [transcript.span_text(p.start_index, p.end_index) for p in measured.passages]
    assert quoted[0].startswith("Developers waited about fifty minutes")
    assert recitation_level(measured) == "recited"


def test_a_paraphrase_of_the_same_facts_is_not_recitation() -> None:
    measured = overlap(Tokens.of(Transcript.from_text(PARAPHRASED)), STORY)
    assert measured.repeated_share < 0.15
    assert measured.longest_run < 8
    assert recitation_level(measured) == "none"


def test_a_learnt_paragraph_inside_a_fresh_answer_is_partial() -> None:
    fresh = ("Let me tell you about our release process, which honestly frustrated everybody on my team for months "
             "until something had to change.")
    learnt = ("I introduced layer caching, split the tests into four parallel jobs by timing data, and moved the "
              "security scan to run alongside the tests instead of after them.")
    ending = "That was the whole story really, and the team was happy with where we ended up after all that work."
    measured = overlap(Tokens.of(Transcript.from_text(f"{fresh} {learnt} {ending}")), STORY)
    assert 0.25 <= measured.repeated_share < 0.5
    assert recitation_level(measured) == "partial"


def test_short_shared_phrases_are_not_passages() -> None:
    measured = overlap(Tokens.of(Transcript.from_text(
        "We had many problems but the merge to production took ages and then we fixed the queue and moved on "
        "to other things that mattered more for the team and for the customers we had at the time.")), STORY)
    assert measured.passages == ()


def test_the_most_repeated_reference_is_chosen() -> None:
    best = strongest_overlap(Tokens.of(Transcript.from_text(RECITED)), [OTHER, STORY])
    assert best is not None and best.reference.id == "pipeline-speed"
    assert strongest_overlap(Tokens.of(Transcript.from_text(RECITED)), []) is None


def test_a_short_answer_is_never_called_recited() -> None:
    measured = overlap(Tokens.of(Transcript.from_text("Developers waited about 50 minutes from merge to production.")),
                       STORY)
    assert measured.repeated_share == 1.0
    assert recitation_level(measured) == "none"


# -- delivery evidence --------------------------------------------------------------------------------------


def test_even_pace_is_found_in_metronomic_speech_only() -> None:
    even = pace_evenness(timed(RECITED))
    assert even.variation is not None and even.variation < 0.05 and even.even
    words = RECITED.split()
    # Spontaneous speech: stretches of quick words and of slow, thinking words.
    durations = [0.22 if (i // 8) % 2 else 0.5 for i in range(len(words))]
    varied = pace_evenness(timed(RECITED, durations))
    assert varied.variation is not None and varied.variation > 0.2 and not varied.even


def test_pace_needs_times_and_enough_words() -> None:
    assert pace_evenness(Transcript.from_text(RECITED)).variation is None
    assert pace_evenness(timed("too few words here to judge")).variation is None


def test_no_disfluency_needs_a_long_answer_with_none_at_all() -> None:
    assert recitation.disfluency_absence(delivery.compute(Transcript.from_text(RECITED))).absent
    with_filler = RECITED.replace("I profiled", "Um, I profiled")
    assert not recitation.disfluency_absence(delivery.compute(Transcript.from_text(with_filler))).absent
    assert not recitation.disfluency_absence(delivery.compute(Transcript.from_text("I did it. It worked."))).absent


# -- the combined verdict -----------------------------------------------------------------------------------

FLAT = PitchSummary(400, 110.0, 1.5, 0.6, True)
LIVELY = PitchSummary(400, 110.0, 7.0, 2.8, False)


def test_recitation_with_robotic_delivery_is_rehearsed_and_every_piece_is_shown() -> None:
    transcript = timed(RECITED)
    result = assess(transcript, delivery.compute(transcript), [OTHER, STORY], FLAT)
    assert result.rehearsed
    found = {e.id for e in result.found()}
    assert found == {"recitation", "even_pace", "no_disfluency", "monotone"}
    assert result.score == 5
    texts = " | ".join(e.text for e in result.evidence)
    assert "Cutting the deployment pipeline" in texts and "word for word" in texts and "semitones" in texts
    assert result.to_dict()["overlap"]["passages"]


def test_delivery_cues_alone_never_make_an_answer_rehearsed() -> None:
    transcript = timed(PARAPHRASED)
    result = assess(transcript, delivery.compute(transcript), [STORY], FLAT)
    assert {e.id for e in result.found()} == {"even_pace", "no_disfluency", "monotone"}
    assert result.score == 3
    assert not result.rehearsed


def test_a_recitation_told_naturally_is_not_rehearsed_sounding() -> None:
    # Verbatim words, but uneven pace, a filler and a moving pitch: only the recitation evidence is found.
    words = ("Um, " + RECITED).split()
    durations = [0.22 if (i // 8) % 2 else 0.5 for i in range(len(words))]
    transcript = timed(" ".join(words), durations)
    result = assess(transcript, delivery.compute(transcript), [STORY], LIVELY)
    assert [e.id for e in result.found()] == ["recitation"]
    assert result.score == recitation.settings()["verdict"]["weights"]["recitation_recited"]
    assert not result.rehearsed


def test_a_partial_recitation_needs_two_robotic_cues() -> None:
    text = ("Let me tell you about our release process, which honestly frustrated everybody on my team for months "
            "until something had to change. I introduced layer caching, split the tests into four parallel jobs by "
            "timing data, and moved the security scan to run alongside the tests instead of after them. That was "
            "the whole story really, and the team was happy with where we ended up after all that work.")
    robotic = timed(text)
    result = assess(robotic, delivery.compute(robotic), [STORY], LIVELY)
    assert result.evidence[0].measured["level"] == "partial"
    assert {e.id for e in result.found()} == {"recitation", "even_pace", "no_disfluency"}
    assert result.rehearsed
    durations = [0.22 if (i // 8) % 2 else 0.5 for i in range(len(text.split()))]
    varied = timed(text, durations)
    result = assess(varied, delivery.compute(varied), [STORY], LIVELY)
    assert {e.id for e in result.found()} == {"recitation", "no_disfluency"}
    assert not result.rehearsed


def test_weights_and_threshold_can_come_from_the_rule() -> None:
    transcript = timed(RECITED)
    metrics = delivery.compute(transcript)
    weights = {"recitation_recited": 1, "recitation_partial": 0, "even_pace": 0, "no_disfluency": 0, "monotone": 0}
    assert not assess(transcript, metrics, [STORY], FLAT, weights=weights, threshold=2).rehearsed
    assert assess(transcript, metrics, [STORY], FLAT, weights=weights, threshold=1).rehearsed


def test_without_references_nothing_is_recited() -> None:
    transcript = timed(RECITED)
    result = assess(transcript, delivery.compute(transcript), [], FLAT)
    assert not result.rehearsed and result.overlap is None
    assert result.evidence[0].text.startswith("no story")


# -- angles and retellings ----------------------------------------------------------------------------------

BUSINESS_RETELLING = (
    "Slow releases were costing the business. Developers waited close to an hour for every change, so they "
    "bundled work into big risky releases, and customers waited longer for fixes. After the change we shipped 40 "
    "times a week instead of 15, customers got fixes the same day, and the developer time we saved was worth "
    "about two engineers a year, roughly 200 thousand euros of cost.")


def test_angle_profile_counts_phrases_longest_first() -> None:
    profile = angle_profile(tokenize("I learned that since then I run the old and new pipeline side by side"))
    assert profile.counts["failure"] == 2  # "learned", "since then"
    assert profile.counts["technical"] == 1  # "pipeline"
    assert profile.dominant == "failure"
    assert angle_profile([]).dominant is None


def test_weakest_angle_is_what_the_story_says_least_about() -> None:
    profile = angle_profile(tokenize(STORY.text))
    assert profile.dominant == "technical"
    assert weakest_angle(profile) in ("leadership", "failure")
    assert weakest_angle(profile, exclude=["leadership", "failure", "business"]) == "technical"


def test_a_real_business_retelling_changes_angle_without_reciting() -> None:
    check = retelling_check(Transcript.from_text(BUSINESS_RETELLING), STORY, "business")
    assert check.changed_angle and not check.recited and check.passed
    assert check.reasons == ()
    assert check.angle_phrases


def test_reciting_the_story_fails_the_retelling() -> None:
    check = retelling_check(Transcript.from_text(RECITED), STORY, "business")
    assert check.recited and not check.passed
    assert any("word for word" in reason for reason in check.reasons)


def test_a_paraphrase_that_keeps_the_old_angle_did_not_change_angle() -> None:
    check = retelling_check(Transcript.from_text(PARAPHRASED), STORY, "leadership")
    assert not check.recited
    assert not check.changed_angle and not check.passed
    assert any("leadership" in reason for reason in check.reasons)


def test_unknown_angle_is_refused() -> None:
    with pytest.raises(ValueError):
        retelling_check(Transcript.from_text(RECITED), STORY, "poetry")


def test_thresholds_are_versioned_data() -> None:
    data = recitation.settings()
    assert data["version"]
    for section in ("pitch", "recitation", "pace", "disfluency", "verdict", "retelling", "angles", "tokens"):
        assert section in data
    assert set(data["angles"]) == set(recitation.ANGLES)
