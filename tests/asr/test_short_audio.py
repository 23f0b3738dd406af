"""The model wrapper that decodes a short piece in one window and encodes only its audio plus a little padding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mockiv.asr.whisper import ending_with_one_timestamp, stopped_before_the_speech_ended, trim_padding
from mockiv.audio.capture import StreamResampler
from mockiv.audio.files import load_audio
from tests.support.evaluation import word_error_rate
from tests.support.speech_fixtures import FLUENT, synthesize

TS = 50000  # a timestamp_begin for the pure tests: tokens at or above it are timestamps


def test_open_text_is_closed_at_the_end_of_the_audio() -> None:
    tokens = [TS, 11, 12, 13]  # "<|0.00|> a b c" with no closing timestamp
    assert ending_with_one_timestamp(tokens, TS, 4.0, 0.02) == [TS, 11, 12, 13, TS + 200]


def test_a_single_closing_timestamp_is_left_alone_and_a_pair_loses_its_last() -> None:
    assert ending_with_one_timestamp([TS, 11, TS + 90], TS, 4.0, 0.02) == [TS, 11, TS + 90]
    assert ending_with_one_timestamp([TS, 11, TS + 90, TS + 90], TS, 4.0, 0.02) == [TS, 11, TS + 90]


def test_a_segment_begun_and_ended_at_once_with_seconds_left_means_skipped_speech() -> None:
    # "... set up<|6.30|><|6.30|>" with 9.72 s of audio: 3.4 s never decoded, so the second window stays.
    assert stopped_before_the_speech_ended([TS, 11, TS + 315, TS + 315], TS, 9.72, 0.02)
    # The same pair at 9.3 s is the end of the speech (Silero leaves 0.3 s of padding): closed here.
    assert not stopped_before_the_speech_ended([TS, 11, TS + 465, TS + 465], TS, 9.72, 0.02)
    # A single closing timestamp, or text left open, is not a stop.
    assert not stopped_before_the_speech_ended([TS, 11, TS + 315], TS, 9.72, 0.02)
    assert not stopped_before_the_speech_ended([TS, 11, 12], TS, 9.72, 0.02)


def test_the_closing_timestamp_never_passes_thirty_seconds() -> None:
    assert ending_with_one_timestamp([TS, 11], TS, 45.0, 0.02)[-1] == TS + 1500


def test_padding_beyond_the_kept_frames_is_cut_to_an_even_length() -> None:
    features = np.zeros((80, 3000), dtype=np.float32)
    features[:, :501] = 0.5
    trimmed = trim_padding(features, 300)
    assert trimmed.shape == (80, 802)
    assert np.array_equal(trimmed[:, :501], features[:, :501]) and not trimmed[:, 501:].any()
    assert trim_padding(features, 3000).shape == (80, 3000)  # nothing to cut
    silent = np.zeros((80, 3000), dtype=np.float32)
    assert trim_padding(silent, 300).shape == (80, 3000)


@pytest.mark.model
def test_a_short_piece_is_encoded_once_and_without_most_of_the_padding(
    speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    fixture = FLUENT[0]
    audio = load_audio(synthesize(fixture, speech_dir))
    assert audio.size < 16000 * 20
    whisper = transcriber._whisper
    encoded: list[int] = []
    original = whisper.encode

    def counting(features: np.ndarray) -> object:
        encoded.append(features.shape[-1])
        return original(features)

    whisper.encode = counting
    try:
        transcript = transcriber.transcribe(audio)
    finally:
        del whisper.encode
    assert len(encoded) == 1, encoded  # not a second window for the silence after the last word
    assert encoded[0] == 3000  # faster-whisper still hands over a padded window ...
    assert transcript.words and word_error_rate(fixture.reference, transcript.text) < 0.25
    assert transcript.words[-1].end is not None and transcript.words[-1].end <= audio.size / 16000 + 0.05


@pytest.mark.model
def test_the_encoder_sees_the_audio_plus_three_seconds(
    speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    audio = load_audio(synthesize(FLUENT[0], speech_dir))
    whisper = transcriber._whisper
    seen: list[tuple[int, ...]] = []
    original = whisper.model.encode

    class Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(original.__self__, name)

        def encode(self, features, to_cpu=False):  # type: ignore[no-untyped-def]
            seen.append(tuple(features.shape))
            return original(features, to_cpu=to_cpu)

    model = whisper.model
    whisper.model = Spy()
    try:
        transcriber.transcribe(audio)
    finally:
        whisper.model = model
    frames = seen[0][-1]
    # ... which is cut to the speech Silero kept (at most the audio) plus 300 frames of padding.
    assert len(seen) == 1 and 300 < frames <= audio.size // 160 + 302, seen


def _through_a_44k_device(audio: np.ndarray) -> np.ndarray:
    """16 kHz to 44.1 kHz and back with mockiv's own resampler, as a recording from a 44.1 kHz microphone is."""
    def resample(samples: np.ndarray, source: int, target: int) -> np.ndarray:
        resampler = StreamResampler(source, target)
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        return np.concatenate([resampler(pcm), resampler.flush()]).astype(np.float32) / 32768
    return resample(resample(audio, 16000, 44100), 44100, 16000)


@pytest.mark.model
def test_speech_whisper_skipped_at_the_end_of_a_short_answer_is_decoded_again(
    speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    # Quieter and 0.5 s late, this answer made tiny.en stop after "set up" with 3.4 s to go (seen in CI on the
    # 44.1 kHz capture test): closing that window lost "the alerts, and moved traffic over two weeks".
    fixture = FLUENT[0]
    audio = load_audio(synthesize(fixture, speech_dir))
    late = np.concatenate([np.zeros(8000, np.float32), 0.5 * audio, np.zeros(6400, np.float32)])
    text = transcriber.transcribe(_through_a_44k_device(late)).text
    assert "two weeks" in text, text
    assert word_error_rate(fixture.reference, text) <= 0.35, text
