"""The staff console: support staff answer handed-off conversations, the privacy officer
works the data-rights queue. Its own process on 127.0.0.1:5010 (`python -m channels.console`)."""
