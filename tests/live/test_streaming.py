"""Streaming transcription and the end of an answer, on real synthesized speech and the real models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mockiv.asr.streaming import StreamingTranscriber
from mockiv.audio.files import SAMPLE_RATE, load_audio
from mockiv.audio.vad import EndOfAnswer, EndpointSettings, VoiceActivity
from tests.support.evaluation import word_error_rate
from tests.support.speech_fixtures import DISFLUENT, long_answer, synthesize, varied_answers

BLOCK = SAMPLE_RATE // 10  # what the recorder hands on: 100 ms


def feed(streamer: StreamingTranscriber, audio: np.ndarray) -> None:
    for start in range(0, audio.size, BLOCK):
        streamer.feed(audio[start:start + BLOCK])


@pytest.mark.model
def test_streaming_transcript_is_as_good_as_transcribing_the_whole_file(
    speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    """The issue asks for a word error rate within 2 points of transcribing the whole file, on the same audio.

    Measured over six answers (6 min): one answer alone is no yardstick, as its whole-file WER itself moves by
    several points when the same audio starts 0.2 s later (a 30 s window boundary moves; speech_fixtures._VARIED)."""
    words = streamed_errors = whole_errors = 0.0
    for fixture in varied_answers(6):
        audio = load_audio(synthesize(fixture, speech_dir))
        streamer = StreamingTranscriber(transcriber)
        feed(streamer, audio)
        streamed = streamer.finish()
        whole = transcriber.transcribe(audio)

        stats = streamer.stats
        assert stats.pieces >= audio.size / SAMPLE_RATE // 20  # it really was cut and decoded piece by piece
        assert stats.final_piece_seconds <= 16.5  # only the last, short piece was left at the end
        starts = [w.start for w in streamed.words]
        assert starts == sorted(starts) and starts[0] >= 0
        assert streamed.words[-1].end <= audio.size / SAMPLE_RATE + 0.1
        assert streamed.duration == pytest.approx(audio.size / SAMPLE_RATE)
        count = len(fixture.reference.split())
        words += count
        streamed_errors += count * word_error_rate(fixture.reference, streamed.text)
        whole_errors += count * word_error_rate(fixture.reference, whole.text)
    # Measured: streamed 10.0 %, whole file 11.6 %.
    assert streamed_errors / words <= whole_errors / words + 0.02, (streamed_errors / words, whole_errors / words)


@pytest.mark.model
def test_partial_transcripts_arrive_while_the_answer_goes_on(
    speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    audio = load_audio(synthesize(long_answer(45), speech_dir))
    partials: list[int] = []
    streamer = StreamingTranscriber(transcriber, on_partial=lambda t: partials.append(len(t.words)))
    feed(streamer, audio)
    final = streamer.finish()
    assert len(partials) >= 2 and partials == sorted(partials)
    assert partials[-1] == len(final.words)


def test_silence_ends_an_answer_only_after_speech_began(speech_dir: Path) -> None:
    speech = load_audio(synthesize(DISFLUENT[1], speech_dir))  # has a 1.5 s pause inside
    silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
    audio = np.concatenate([silence, silence, speech, silence, silence, silence, silence])
    activity = VoiceActivity()
    endpoint = EndOfAnswer(activity, EndpointSettings(end_silence_s=2.5))
    ended_at = None
    for start in range(0, audio.size, BLOCK):
        activity.feed(audio[start:start + BLOCK])
        if endpoint.reason is not None:
            ended_at = activity.now_s
            break
    assert endpoint.reason == "silence"
    assert activity.speech_started_s is not None and 1.8 <= activity.speech_started_s <= 2.6
    speech_end = 2 + speech.size / SAMPLE_RATE
    # Not at the 1.5 s pause inside the answer; about 2.5 s after the last word.
    assert ended_at is not None and speech_end + 1.5 <= ended_at <= speech_end + 3.0


def test_a_silent_microphone_and_the_time_budget_end_an_answer_too() -> None:
    silence = np.zeros(BLOCK, dtype=np.float32)
    activity = VoiceActivity()
    endpoint = EndOfAnswer(activity, EndpointSettings(no_speech_timeout_s=3.0))
    while endpoint.reason is None and activity.now_s < 10:
        activity.feed(silence)
    assert endpoint.reason == "no-speech" and 3.0 <= activity.now_s < 3.2
    assert not activity.heard_speech

    budget = EndOfAnswer(VoiceActivity(), EndpointSettings(time_budget_s=2.0, no_speech_timeout_s=None))
    while budget.reason is None and budget.activity.now_s < 10:
        budget.activity.feed(silence)
    assert budget.reason == "time-budget" and 2.0 <= budget.activity.now_s < 2.2
