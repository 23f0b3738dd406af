"""Audio devices through PortAudio (sounddevice), imported lazily so that nothing else needs PortAudio.

`OSError: PortAudio library not found` and every `PortAudioError` become one-line `AudioError`s (pitfalls.md §2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mockiv.errors import AudioError

INSTALL_HINT = "install it with: apt install libportaudio2 (or run scripts/setup)"


def sounddevice() -> Any:
    """The sounddevice module, or an AudioError saying how to get PortAudio."""
    try:
        import sounddevice as sd
    except OSError as error:  # the Linux wheel does not bundle PortAudio
        raise AudioError(f"the PortAudio library is missing ({error}); {INSTALL_HINT}") from error
    return sd


def describe_portaudio_error(error: BaseException) -> str:
    """PortAudio's message without its noise: the first line, no error-code tuple."""
    args = getattr(error, "args", ())
    text = str(args[0]) if args else str(error)
    return text.splitlines()[0].strip() or type(error).__name__


@dataclass(frozen=True, slots=True)
class Device:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_devices() -> list[Device]:
    sd = sounddevice()
    try:
        raw = list(sd.query_devices())
        host_apis = [api["name"] for api in sd.query_hostapis()]
        default_in, default_out = _default_indices(sd)
    except sd.PortAudioError as error:
        raise AudioError(f"cannot list audio devices: {describe_portaudio_error(error)}") from error
    return [
        Device(
            index=int(d["index"]),
            name=str(d["name"]),
            host_api=host_apis[d["hostapi"]] if d["hostapi"] < len(host_apis) else "?",
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]


def _default_indices(sd: Any) -> tuple[int, int]:
    default_in, default_out = sd.default.device
    return (int(default_in) if default_in is not None else -1, int(default_out) if default_out is not None else -1)


def resolve_input_device(spec: str | int | None) -> Device:
    """The input device named by `spec` (an index, or a case-insensitive part of its name), or the default one.

    No input device at all, or one that matches nothing, is one AudioError line that says what to do.
    """
    inputs = [d for d in list_devices() if d.is_input]
    if not inputs:
        raise AudioError(
            "no microphone found (PortAudio lists no input device); plug one in, check that PulseAudio or "
            "PipeWire is running, or answer from files with --answers"
        )
    if spec is None or spec == "":
        for device in inputs:
            if device.is_default_input:
                return device
        return inputs[0]
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        for device in inputs:
            if device.index == index:
                return device
        raise AudioError(f"no input device with index {index}; `mockiv devices` lists them: "
                         + ", ".join(f"{d.index} {d.name}" for d in inputs))
    exact = [d for d in inputs if d.name.lower() == text.lower()]
    matches = exact or [d for d in inputs if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise AudioError(f"no input device matches {text!r}; `mockiv devices` lists them: "
                         + ", ".join(f"{d.index} {d.name}" for d in inputs))
    raise AudioError(f"{text!r} matches several input devices ({', '.join(d.name for d in matches)}); "
                     "give its index from `mockiv devices`")
