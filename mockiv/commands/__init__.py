"""CLI subcommands: each module defines `register(subparsers)`, discovered by mockiv.cli."""
