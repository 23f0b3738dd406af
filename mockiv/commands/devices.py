"""`mockiv devices`: the audio inputs (microphones) and outputs PortAudio can see, and which are the defaults."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices",
        help="list audio input and output devices (pick one with practice --input-device)",
        description="List the microphones and speakers PortAudio can see. Use the index or a part of the name "
        "with `mockiv practice --input-device`.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object: inputs and outputs")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mockiv.audio.devices import list_devices

    devices = list_devices()
    inputs = [d for d in devices if d.is_input]
    outputs = [d for d in devices if d.is_output]
    if args.json:
        json.dump({"inputs": [d.to_dict() for d in inputs], "outputs": [d.to_dict() for d in outputs]},
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for title, group, is_default in (
        ("Input devices (microphones)", inputs, lambda d: d.is_default_input),
        ("Output devices (speakers)", outputs, lambda d: d.is_default_output),
    ):
        print(f"{title}:")
        if not group:
            print("  none found")
        for device in group:
            channels = device.max_input_channels if group is inputs else device.max_output_channels
            mark = "*" if is_default(device) else " "
            print(f" {mark}{device.index:>3}  {device.name}  ({device.host_api}, {channels} ch, "
                  f"{device.default_samplerate:.0f} Hz)")
    if not inputs:
        print("No microphone found: check that it is plugged in and that PulseAudio or PipeWire is running; "
              "`mockiv practice --answers FILE...` works without one.")
    if inputs:  # the legend explains the marks of a list; under "none found" it explains nothing
        print("* = default. Pick another with: mockiv practice --input-device INDEX|NAME")
    return 0
