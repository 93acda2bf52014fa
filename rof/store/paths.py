"""Output paths: write only regular files, each by an atomic replace.

Every file ``rof`` writes at a path the user names (a result file, an export, a plot)
goes through :func:`output_target` and :func:`write_atomic`:

* a path that does not exist yet is created as a regular file;
* an existing regular file is replaced (only if the caller was told to, e.g.
  ``--overwrite`` or ``--resume``);
* a **symbolic link is written through**: its final target is the file written (and
  replaced atomically beside the target), the link itself stays as it was;
* anything else (a directory, a character or block device such as ``/dev/null``, a
  FIFO, a socket, a link loop) is refused with :class:`rof.errors.ConfigError`, and
  nothing is written.

:func:`write_atomic` writes the bytes to a temporary file beside the target
(``.<name>.<pid>.tmp``), ``fsync``'s it and renames it over the target (POSIX
``rename``), so the target is always either the old file or the whole new one. A write
that fails (a full disk: ``ENOSPC``, a file-size limit: ``EFBIG``, a quota) removes
the temporary file, leaves the target untouched and raises
:class:`rof.errors.DataError` with one line naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from rof.errors import ConfigError, DataError

__all__ = ["check_regular_or_absent", "output_target", "tmp_path", "write_atomic"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_regular_or_absent(path: Path, what: str) -> None:
    """Raise :class:`ConfigError` unless ``path`` is absent or a regular file (no link)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise ConfigError(f"{what} {path}: is a symbolic link; allowed: a regular file")
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{what} {path}: is {_kind(st.st_mode)}; allowed: a regular file")


def output_target(path, what: str = "-o") -> Path:
    """The absolute path of the regular file to write for the user's ``path``.

    Follows symbolic links to their final target (written through, see the module
    docstring). Raises :class:`ConfigError` naming ``what`` (the option, e.g. ``-o``)
    if the path exists and is not a regular file, if a link loops, or if the target's
    directory exists but is not a directory.
    """
    p = Path(path)
    if str(path) == "" or p.name in ("", ".", ".."):
        raise ConfigError(f"{what} {str(path)!r}: not a file name; allowed: a path such as out.h5")
    target = Path(os.path.realpath(p))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        parent = target.parent
        if parent.exists() and not parent.is_dir():
            raise ConfigError(
                f"{what} {p}: {parent} is not a directory; allowed: a path in a directory"
            ) from None
        return target
    except OSError as exc:
        raise ConfigError(
            f"{what} {p}: cannot be used ({exc.strerror}); allowed: a regular file"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(
            f"{what} {p}: is {_kind(st.st_mode)}; allowed: a regular file path "
            "(rof writes and replaces only regular files)"
        )
    return target


def tmp_path(target: Path) -> Path:
    """The temporary file beside ``target`` that :func:`write_atomic` renames over it."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno == errno.EFBIG:
        return "the file-size limit of this process is reached"
    return exc.strerror or str(exc)


def write_atomic(target: Path, data, *, keep: str = "") -> None:
    """Write ``data`` (bytes-like) to ``target`` by temporary file, fsync and rename.

    ``target`` should come from :func:`output_target`. The file mode of an existing
    target is kept. On any failure the temporary file is removed and ``target`` is
    unchanged; an ``OSError`` becomes :class:`DataError` whose message ends with
    ``keep`` (e.g. what the old file still holds).
    """
    target = Path(target)
    tmp = tmp_path(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # left by an earlier process with our pid
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            view = memoryview(data).cast("B")
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        tail = f"; {keep}" if keep else ""
        raise DataError(f"{target}: cannot write ({_reason(exc)}){tail}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
