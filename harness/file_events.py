"""Which files of a folder had their attributes changed (chmod, chown) while a block ran, as the
kernel reports it (inotify's IN_ATTRIB): a file made private after it was created is seen."""

from __future__ import annotations

import ctypes
import os
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

IN_ATTRIB = 0x00000004
_EVENT = struct.Struct("iIII")  # watch, mask, cookie, length of the name that follows
_libc = ctypes.CDLL(None, use_errno=True)


def _checked(result: int, call: str) -> int:
    if result < 0:
        raise OSError(ctypes.get_errno(), f"{call} failed")
    return result


@contextmanager
def attribute_changes(folder: Path) -> Iterator[list[str]]:
    """Yield a list that holds, once the block ends, the names of the files in `folder` whose
    attributes changed in it."""
    changed: list[str] = []
    watcher = _checked(_libc.inotify_init1(os.O_NONBLOCK), "inotify_init1")
    try:
        _checked(_libc.inotify_add_watch(watcher, os.fsencode(folder), IN_ATTRIB), "inotify_add_watch")
        yield changed
        while True:
            try:
                events = os.read(watcher, 1 << 16)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(events):
                *_, length = _EVENT.unpack_from(events, offset)
                name = events[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                if name:  # an empty name is the folder itself
                    changed.append(os.fsdecode(name))
                offset += _EVENT.size + length
    finally:
        os.close(watcher)
