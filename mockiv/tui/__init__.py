"""The Textual app: `create_app(services, ...)` builds it; `mockiv app` runs it (see mockiv.commands.app)."""
