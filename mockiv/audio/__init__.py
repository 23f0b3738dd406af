"""Audio in and out: file loading, capture, playback. sounddevice is imported lazily where it is needed."""
