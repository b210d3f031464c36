"""Writing files so that a crash or a full disk never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ivig_desktop.engine.errors import InputError


def write_atomic(path: Path, data: bytes, field: str = "output") -> None:
    """Write via a temporary file in the same folder, fsync, then rename over ``path``.

    Errors name ``field`` (the option or control the path came from) and leave no partial
    or temporary file.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            raise InputError(field, f"'{path}' is a folder")
        if not folder.is_dir():
            raise InputError(field, f"folder '{folder}' does not exist")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise InputError(field, f"cannot use '{path}' ({exc.strerror})") from exc
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(field, f"cannot write in '{folder}' ({exc.strerror})") from exc
    try:
        fh = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        with fh:
            # mkstemp makes the file owner-only; give it the mode a plain open() would have.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(field, f"cannot write '{path}' ({exc.strerror})") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
