"""The one way results reach the disk: whole files or nothing, never through a planted symlink.

Each file is written to a unique temporary name in its own folder (mkstemp: created exclusively,
so an existing name or symlink there is never opened), flushed and fsynced, then renamed over the
final name (a rename replaces a symlink at that name; it does not write through it), and the folder
is fsynced so that the rename survives a power cut. A failure removes the temporary files and leaves
every final name as it was.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

Writer = Callable[[BinaryIO], None]
TEMP_SUFFIX = ".tmp"
_TEMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")


def write_files(folder: str | os.PathLike, files: dict[str, Writer]) -> None:
    """Write every `files[name]` into `folder/name`: all are staged first, then renamed in their order.

    If any writer raises, no final name has changed and no temporary file is left.
    """
    folder = Path(folder)
    staged: list[tuple[str, str]] = []
    try:
        for name, write in files.items():
            staged.append((_stage(folder, name, write), name))
        for tmp, name in list(staged):
            os.replace(tmp, folder / name)
            staged.remove((tmp, name))
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    _fsync_folder(folder)


def write_file(path: str | os.PathLike, write: Writer) -> None:
    """Write one file atomically (see `write_files`)."""
    path = Path(path)
    write_files(path.parent, {path.name: write})


def text(content: str) -> Writer:
    """A writer of `content` as UTF-8."""
    return lambda f: f.write(content.encode("utf-8"))


def temp_target(name: str) -> str | None:
    """The final name a temporary file of this module's is for, or None if `name` is not one."""
    match = _TEMP.match(name)
    return match["name"] if match else None


def _stage(folder: Path, name: str, write: Writer) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fchmod(f.fileno(), 0o666 & ~_umask())
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
