"""Writing files so that a crash or a full disk never leaves a half-written one behind."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.regular_file import kind


def writable_target(path: Path, field: str = "output") -> Path:
    """The regular file (or new name) a write to ``path`` goes to; refuses anything else.

    A symlink is written through: the file it names is replaced and the link stays a link,
    so whatever else reads that file sees the new content. A link to nothing, a folder, a pipe,
    a device or a socket is refused: replacing it would destroy what is there, and writing
    into it would block or go nowhere.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise InputError(field, f"cannot use '{path}' ({exc.strerror})") from exc
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        try:
            info = os.stat(target)
        except FileNotFoundError:
            raise InputError(field, f"'{path}' is a link to '{target}', which does not exist") from None
        except OSError as exc:
            raise InputError(field, f"cannot use '{path}' ({exc.strerror})") from exc
        path = target
    if not stat.S_ISREG(info.st_mode):
        raise InputError(field, f"'{path}' is {kind(info.st_mode)}; only a regular file is replaced")
    return path


def write_atomic(path: Path, data: bytes, field: str = "output") -> None:
    """Write via a temporary file in the same folder, fsync, then rename over ``path``.

    Errors name ``field`` (the option or control the path came from) and leave no partial
    or temporary file. Only a regular file or a new name is written (see :func:`writable_target`).
    """
    path = writable_target(path, field)
    folder = path.parent if str(path.parent) else Path(".")
    try:
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


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same name after links and ``..`` are resolved, or
    (both existing) the same inode, so a hard link or another spelling is caught too."""
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, RuntimeError):  # a link loop or a name the file system refuses
        return False
