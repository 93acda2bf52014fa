"""Status lines on stderr for the command line: what a long step is doing, and why.

Commands call :func:`say` before each step that can take more than a second
(validation, compiling kernels, simulating, writing). The lines go to stderr, and
only when stderr is a terminal, so that stdout (the results, ``--json``) stays clean
and a failing command in a pipe or a script still prints exactly one error line;
``--quiet`` silences them at a terminal too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["kernels_cold", "say", "set_quiet"]

#: None: status lines when stderr is a terminal; True: never; False: always.
_QUIET: bool | None = None


def set_quiet(quiet: bool | None) -> None:
    """``True`` silences :func:`say`, ``False`` forces it on, ``None`` restores the default."""
    global _QUIET
    _QUIET = quiet


def say(message: str) -> None:
    """Print one status line on stderr (see the module docstring) and flush it at once."""
    show = sys.stderr.isatty() if _QUIET is None else not _QUIET
    if show:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def kernels_cold(*packages: str) -> bool:
    """Whether Numba's on-disk cache holds no compiled kernel of ``packages`` yet.

    ``@numba.njit(cache=True)`` writes an index file (``*.nbi``) per cached function
    into the module's ``__pycache__`` directory, or under ``NUMBA_CACHE_DIR`` when that
    is set (Numba documentation, "Cache sharing" and "Cache invalidation"). With none
    there, the first call of each kernel compiles it (about a minute in total).
    """
    root = Path(__file__).resolve().parent
    custom = os.environ.get("NUMBA_CACHE_DIR")
    for pkg in packages or ("edge", "radio"):
        base = Path(custom) if custom else root / pkg
        try:
            next(base.rglob("*.nbi"))
        except StopIteration:
            return True
        except OSError:
            return True
    return False
