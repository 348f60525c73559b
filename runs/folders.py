"""Output folders: which a command may write into, what it may remove there, and one command at a time.

A command writes only into a folder that is new, empty, or a previous result of its own kind (told
by the `kind` in the folder's manifest.json), and removes only files of its own layout there: a
folder holding anything else is refused whatever the options. While it writes, it holds an
exclusive lock (fcntl.flock on DIR/.lock, not waiting), so a second command on the same folder is
refused instead of disturbing the first. The lock ends with the process that took it, even if
workers it forked live on (they close their copy of it), and a killed command's lock file is reused.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from fleet.errors import InputError, clip
from runs.atomic import Writer, temp_target, text, write_file, write_files

LOCK = ".lock"
MANIFEST = "manifest.json"
SYSTEM = ("proc", "sys", "dev")
SHOWN = 3


@dataclass(frozen=True)
class Layout:
    """What one kind of result holds: its top-level files and its subfolders (each of files ending in a suffix)."""

    kind: str
    noun: str               # in messages: "a previous {noun}"
    command: str
    files: frozenset[str]
    folders: dict[str, str] = field(default_factory=dict)


def safe_name(text: str) -> str:
    """`text` as one folder name: characters other than letters, digits, '.', '_' and '-' become '-'."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")
    return name or "result"


def check_out(text: str | os.PathLike) -> Path:
    """The folder `text` names, if a command may create or use it; InputError (saying why) if not."""
    path = Path(text)
    shown = clip(str(text))
    try:
        resolved = path.resolve()
        here = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise InputError(f"{shown}: cannot use this folder ({exc})") from None
    if resolved == here or resolved in here.parents:
        raise InputError(f"{shown}: is the current folder or one above it; give --out a folder of its own")
    if len(resolved.parts) > 1 and resolved.parts[1] in SYSTEM:
        raise InputError(f"{shown}: is under /{resolved.parts[1]}, a system folder; choose a folder of your own")
    try:
        for ancestor in [path, *path.parents]:
            if ancestor.exists() and not ancestor.is_dir():
                what = "exists and is not a folder" if ancestor == path else f"{ancestor} is a file, not a folder"
                raise InputError(f"{shown}: {what}; choose another --out folder")
    except OSError as exc:      # a name too long, a folder that cannot be searched
        raise InputError(f"--out {shown}: cannot use this path ({exc.strerror})") from None
    return path


def read_json(path: Path) -> dict:
    """A JSON object file (a manifest, a summary) as a dict; InputError if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno}); the file is corrupt") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a JSON object expected, found {type(data).__name__}; the file is corrupt")
    return data


def manifest_kind(manifest: dict) -> str | None:
    """The kind of result a manifest describes (older manifests have no `kind`; their fields tell)."""
    if isinstance(manifest.get("kind"), str):
        return manifest["kind"]
    if "experiment_sha256" in manifest:
        return "experiment"
    if "policy_class" in manifest and "scenario_sha256" in manifest:
        return "run"
    return None


def previous(folder: Path, layout: Layout) -> dict | None:
    """The manifest of the result of `layout`'s kind that `folder` holds; None if it is new or empty.

    Raises InputError if the folder holds anything else: files fleet did not write, or another kind.
    """
    if not folder.is_dir():
        return None
    entries = [p for p in folder.iterdir() if p.name != LOCK and temp_target(p.name) not in layout.files]
    if not entries:     # new, or only what a killed command of this kind left
        return None
    manifest = folder / MANIFEST
    data = corrupt = None
    if manifest.is_file():
        try:
            data = read_json(manifest)
        except InputError as exc:       # corrupt: said below, unless the folder holds foreign files
            corrupt = exc
    kind = manifest_kind(data) if data is not None else None
    if kind is not None and kind != layout.kind:
        raise InputError(f"{folder}: holds another kind of result ({kind}), not one of {layout.command}; "
                         "choose another --out folder")
    foreign = [name for p in entries for name in _foreign(p, layout)]
    if not foreign and corrupt is not None:     # say which option named the folder
        raise InputError(f"--out {folder}: {corrupt}") from None
    if not foreign and kind == layout.kind:
        return data
    shown = ", ".join(sorted(foreign or [p.name for p in entries])[:SHOWN])
    raise InputError(f"{folder}: is not empty and not a previous result of {layout.command} (it holds {shown}); "
                     "fleet never removes files it did not write: choose a new or empty --out folder")


def check_save(text: str | os.PathLike, layout: Layout, force: bool) -> None:
    """Raise InputError now if `save_result` would refuse this folder (to refuse before computing)."""
    _refuse_replacing(Path(text), previous(check_out(text), layout), layout, force)


def save_result(text: str | os.PathLike, layout: Layout, files: dict[str, Writer], force: bool) -> Path:
    """Write `files` (see runs.atomic) as the result in a new or empty folder, or, with `force`, in place of
    a previous result of `layout`, whose other files are then removed; return the folder."""
    with claim(text, layout) as (folder, before):
        _refuse_replacing(folder, before, layout, force)
        try:
            write_files(folder, files)
            remove_own(folder, layout, keep=set(files))
        except OSError as exc:
            raise write_error(folder, exc) from None
    return folder


def _refuse_replacing(folder: Path, before: dict | None, layout: Layout, force: bool) -> None:
    if before is not None and not force:
        raise InputError(f"{folder}: holds a previous {layout.noun}; use --force to replace it, "
                         "or choose another --out folder")


def remove_own(folder: Path, layout: Layout, keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Remove the files of `layout` from `folder` (checked by `previous`), except the names in `keep`."""
    for p in folder.iterdir():
        if p.name == LOCK or p.name in keep or _foreign(p, layout):
            continue
        if p.is_dir() and not p.is_symlink():
            for child in p.iterdir():
                child.unlink()
            p.rmdir()
        else:
            p.unlink()


def remove_temps(folder: Path, layout: Layout) -> None:
    """Remove temporary files a killed command of this layout left (`claim` does, holding the lock)."""
    for sub in ["", *layout.folders]:
        where = folder / sub
        if where.is_dir():
            for p in where.iterdir():
                if temp_target(p.name) is not None and not _foreign(p, layout, sub):
                    p.unlink()


@contextmanager
def claim(text: str | os.PathLike, layout: Layout) -> Iterator[tuple[Path, dict | None]]:
    """Create the folder if needed, lock it, and yield it with its previous manifest (see `previous`),
    having removed the temporary files a killed command left.

    Folders created here are removed again if the command fails while they are still empty.
    """
    folder = check_out(text)
    created = [p for p in [folder, *folder.parents] if not p.exists()]
    in_body = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with lock(folder):
            before = previous(folder, layout)
            remove_temps(folder, layout)
            in_body = True
            yield folder, before
    except BaseException as exc:
        _remove_empty(created)
        if isinstance(exc, OSError) and not in_body:
            raise write_error(folder, exc) from None
        raise


def write_error(folder: Path, exc: OSError) -> InputError:
    """The message for a folder that cannot be written (read-only, full, not permitted)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(f"{folder}: the disk is full ({exc.strerror})")
    return InputError(f"{folder}: cannot write there ({exc.strerror or exc})")


def write_page(folder: Path, page: str, name: str = "report.html") -> Path:
    """Write `page` as FOLDER/NAME (atomically, creating the folder); InputError if it cannot."""
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_file(target, text(page))
    except OSError as exc:
        raise write_error(folder, exc) from None
    return target


@contextmanager
def lock(folder: Path) -> Iterator[None]:
    """Hold DIR/.lock exclusively; InputError naming the holder's pid if another process holds it."""
    path = folder / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise InputError(f"{folder} is in use by another fleet command (pid {holder}); "
                             "wait for it to finish or choose another --out folder") from None
        if _same_file(fd, path):
            break
        os.close(fd)    # the holder removed the file as we opened it: take the new one
    _HELD.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)
        _HELD.discard(fd)
        os.close(fd)


def _forget_locks() -> None:
    """In a forked child (a pool worker): close the held locks' descriptors, so that the lock ends
    with the process that took it, not with the last of its workers."""
    for fd in _HELD:
        os.close(fd)
    _HELD.clear()


_HELD: set[int] = set()
os.register_at_fork(after_in_child=_forget_locks)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _foreign(p: Path, layout: Layout, sub: str = "") -> list[str]:
    """The names under `p` (an entry of the folder, or of its subfolder `sub`) that `layout` does not own."""
    real_dir = p.is_dir() and not p.is_symlink()
    if sub:
        suffix = layout.folders[sub]
        name = temp_target(p.name) or p.name
        return [] if not real_dir and name.endswith(suffix) else [f"{sub}/{p.name}"]
    if p.name in layout.folders and real_dir:
        return [name for child in p.iterdir() for name in _foreign(child, layout, p.name)]
    own = p.name in layout.files or temp_target(p.name) in layout.files
    return [] if own and not real_dir else [p.name]


def _remove_empty(created: list[Path]) -> None:
    for p in created:     # deepest first
        try:
            p.rmdir()
        except OSError:
            return
