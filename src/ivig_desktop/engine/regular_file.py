"""Reading a file the user named: only a regular file, and never more than a bound.

A FIFO blocks ``open()`` until a writer comes, a device such as /dev/zero never ends and a
folder is not data: each is refused before any byte is read. The file is opened without
blocking, checked again on the opened descriptor (the name may have been swapped between the
two looks) and read with a byte limit, so neither a hostile path nor a growing file can hang
the program or fill its memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class FileRefusedError(ValueError):
    """The path is not a readable regular file within the limit; the message says why."""


def kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words for an error message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: Path, limit: int, what: str = "a data file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises :class:`FileRefusedError` with a reason ("file not found", "is a pipe (FIFO), not a regular
    file", "is 2,000,000 bytes; a plan file is at most 1,000,000"). A symlink is followed.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise FileRefusedError("file not found") from None
    except OSError as exc:
        raise FileRefusedError(f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(before.st_mode):
        raise FileRefusedError(f"is {kind(before.st_mode)}, not a regular file")
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        raise FileRefusedError(f"cannot be read ({exc.strerror})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise FileRefusedError(f"is {kind(opened.st_mode)}, not a regular file")
        if opened.st_size > limit:
            raise FileRefusedError(f"is {opened.st_size:,} bytes; {what} is at most {limit:,}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileRefusedError(f"grew past {limit:,} bytes while it was read")
        return b"".join(chunks)
    except OSError as exc:
        raise FileRefusedError(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
