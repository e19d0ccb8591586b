"""What a log may show of a URL: its path, without the query string (tokens travel there) and
without the conversation id or download token a path may hold, as nginx's access log shows it
(runtime/nginx.conf.template)."""

from __future__ import annotations

from urllib.parse import urlsplit

# The path segment after one of these is a conversation id or a download token.
BEFORE_A_SECRET = frozenset({"conversations", "downloads"})


def logged_path(url: str) -> str:
    """`url`'s path, with any segment after one of BEFORE_A_SECRET shown as "-"."""
    segments = urlsplit(url).path.split("/")
    return "/".join(
        "-" if index and segments[index - 1] in BEFORE_A_SECRET else segment for index, segment in enumerate(segments)
    )


def is_url(text: str) -> bool:
    """True for an absolute http(s) URL or a path."""
    if text.startswith("/"):
        return not any(character.isspace() for character in text)
    split = urlsplit(text)
    return split.scheme in ("http", "https", "ws", "wss") and bool(split.netloc)


def request_line(line: str) -> str:
    """An access log's "METHOD URL" as "METHOD path" (logged_path)."""
    method, _, url = line.partition(" ")
    return f"{method} {logged_path(url)}"
