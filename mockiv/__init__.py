"""mockiv: a voice mock-interview simulator for the terminal."""
__version__ = "0.1.0"
