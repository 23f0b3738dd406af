"""Speech recognition: model resolution (embedded, models/, path, name) and transcription to a Transcript."""

from mockiv.asr.models import ResolvedModel, resolve_model
from mockiv.asr.transcriber import DecodeOptions, Transcriber, load_transcriber

__all__ = ["DecodeOptions", "ResolvedModel", "Transcriber", "load_transcriber", "resolve_model"]
