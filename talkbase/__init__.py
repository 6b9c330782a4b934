"""talkbase: a command-line knowledge base of negotiations, kept as hand-written YAML."""

__version__ = "0.1.0"
