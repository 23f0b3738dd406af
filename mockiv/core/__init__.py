"""The pure core: plain data and pure functions. Nothing here does I/O or imports the shell."""
