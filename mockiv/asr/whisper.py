"""faster-whisper's model, made cheaper for short audio: one window at the end, and no 30 s of padding to encode.

Two costs sat between the candidate's last word and the feedback, both measured here on 5-20 s pieces with tiny.en
on 2 cores (0.4-0.9 s a piece before, 0.15-0.55 s after):

- A second window. With word timestamps, faster-whisper 1.1-1.2 (like openai-whisper) moves its seek point back to
  the end of the last word after each window and decodes again from there. Inside a long recording that is how the
  next window starts; in the last one it decodes only the silence after the last word, for a whole encoder pass
  (0.24 s). Here the last window is closed where the audio ends, with all of its tokens kept, unless Whisper
  stopped with seconds of audio still to go (then the second window is the only way to get those words).
- Padding. Whisper pads every window to 30 s of log-mel frames and the encoder runs over all of it. CTranslate2 also
  encodes shorter inputs; a window is cut `trailing_padding_frames` after its audio ends (3 s by default). On 12
  espeak-ng answers (7 min) the word error rate did not change (whole file 11.7 %, padded or not; fillers kept: 0.96
  recall, 1.0 precision), and a 5 s piece encodes in 0.05 s instead of 0.24 s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from faster_whisper import WhisperModel

# Whisper's timestamp tokens count 20 ms steps from the start of the window, up to 30 s.
_LAST_TIMESTAMP_STEP = 1500
# Audio left after Whisper's last timestamp beyond which it is decoded again: Silero's padding (0.3 s) and a breath.
UNDECODED_TAIL_S = 1.0


class ShortAudioWhisper(WhisperModel):
    """A WhisperModel whose last window ends the decode and whose encoder skips most of the padding."""

    # Log-mel frames (10 ms each) of padding kept after the audio; None keeps Whisper's 30 s window.
    trailing_padding_frames: int | None = 300

    def encode(self, features: np.ndarray) -> Any:
        if self.trailing_padding_frames is not None:
            features = trim_padding(features, self.trailing_padding_frames)
        return super().encode(features)

    def _split_segments_by_timestamps(  # type: ignore[override]
        self,
        tokenizer: Any,
        tokens: list[int],
        time_offset: float,
        segment_size: int,
        segment_duration: float,
        seek: int,
    ) -> Any:
        last_window = segment_size < self.feature_extractor.nb_max_frames
        if last_window and tokens and not stopped_before_the_speech_ended(
                tokens, tokenizer.timestamp_begin, segment_duration, self.time_precision):
            tokens = ending_with_one_timestamp(tokens, tokenizer.timestamp_begin, segment_duration,
                                               self.time_precision)
        return super()._split_segments_by_timestamps(tokenizer, tokens, time_offset, segment_size, segment_duration,
                                                     seek)


def trim_padding(features: np.ndarray, kept_frames: int) -> np.ndarray:
    """Log-mel features without their zero padding beyond `kept_frames` (an even count: the encoder halves it)."""
    frames = features.shape[-1]
    has_content = np.any(features.reshape(-1, frames) != 0, axis=0)
    if not has_content.any():
        return features
    content = int(np.flatnonzero(has_content)[-1]) + 1
    keep = min(frames, content + kept_frames)
    keep += keep % 2
    return features if keep >= frames else np.ascontiguousarray(features[..., :keep])


def stopped_before_the_speech_ended(tokens: list[int], timestamp_begin: int, duration_s: float,
                                    precision_s: float) -> bool:
    """Whether Whisper began a new segment and stopped at once, with more than UNDECODED_TAIL_S of audio left.

    With Silero's filter on, little silence is left at the end of the audio, so that tail is most likely speech
    Whisper skipped (seen on a 9.7 s answer: "<|6.30|><|6.30|>", the last 3.4 s without words): faster-whisper then
    decodes again from the last word, as it always did.
    """
    if len(tokens) < 2 or tokens[-1] < timestamp_begin or tokens[-2] < timestamp_begin:
        return False
    return duration_s - (tokens[-1] - timestamp_begin) * precision_s > UNDECODED_TAIL_S


def ending_with_one_timestamp(tokens: list[int], timestamp_begin: int, duration_s: float,
                              precision_s: float) -> list[int]:
    """The tokens, closed by a single timestamp: faster-whisper then keeps them all and moves past the window.

    Text left open at the end (no closing timestamp) is closed at the end of the audio; a trailing pair of timestamps
    (an empty segment begun) loses its last one.
    """
    if tokens[-1] >= timestamp_begin:
        if len(tokens) >= 2 and tokens[-2] >= timestamp_begin:
            return tokens[:-1]
        return tokens
    end = timestamp_begin + min(_LAST_TIMESTAMP_STEP, round(duration_s / precision_s))
    return [*tokens, end]
