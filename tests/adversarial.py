"""The adversarial harness: run `fleet ARGS` in this process, inside a scratch folder, under a time
and memory guard, and judge the outcome by the rules every command must keep on any input.

A case is a command line plus the files it needs (written into the case's folder first). The rules
(`problems`): exit status 0, 1 or 2; no traceback and no "internal error"; exit 1 only with a named
policy error (a line starting `policy `); exit 2 with a short message that names the file or the
option; stderr of a few KB at most; no control characters other than newline and tab on stdout or
stderr; something on stdout after exit 0; and no file the user had (the `keep*` files) deleted or changed.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from runs.commands.cli import build_parser, main

CASE_SECONDS = 20                       # a case running longer is a hang
MEMORY_HEADROOM = 2 << 30               # address space a case may add, bytes: a blow-up fails, not swaps
STDERR_LIMIT = 8192                     # bytes: "a few KB"
SHOWN = 600                             # characters of output quoted in a failure
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
POLICY_LINE = re.compile(r"^(fleet: )?policy \S", re.MULTILINE)
USER_FILE = b"my thesis, three years of work\n"
CASE_DIR = Path("w/a/b/c")              # the case runs here, inside its scratch folder; `..` stays inside too


class Hang(BaseException):
    """Raised by the alarm: a BaseException so that the command's own error handling cannot swallow it."""


@dataclass(frozen=True)
class Fifo:
    """A named pipe at this path."""


@dataclass(frozen=True)
class Symlink:
    """A symbolic link at this path, pointing at `target` (relative to the case folder or absolute)."""

    target: str


@dataclass(frozen=True)
class Folder:
    """An empty folder at this path."""


@dataclass(frozen=True)
class Truncate:
    """Replace the content of the first file matching this glob (sorted) with `content`."""

    content: bytes = b""


@dataclass(frozen=True)
class Fleet:
    """Setup step: run `fleet ARGS` first (it must succeed), e.g. to make a results folder."""

    argv: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One adversarial command line, with the files written into its folder before it runs.

    `files` maps a path relative to the case folder to bytes, a Fifo, Symlink, Folder or Truncate (the
    path a glob); a `Fleet` value (any key) runs a command. They are made in order. Files whose name
    starts with `keep` are a user's: they must survive the case unchanged. `names`: an exit-2 message
    must name one of them (default: the options of the subcommand). `expect`: the exit statuses
    issue 11 prescribes for this case, where it does (None: any of 0, 1, 2).
    """

    family: str
    index: int
    what: str
    argv: tuple[str, ...]
    files: tuple[tuple[str, object], ...] = ()
    names: tuple[str, ...] = ()
    seconds: float = CASE_SECONDS
    expect: tuple[int, ...] | None = None

    @property
    def id(self) -> str:
        return f"{self.family}-{self.index:03d}-{re.sub(r'[^A-Za-z0-9_.=-]+', '_', self.what).strip('_')}"


@dataclass
class Outcome:
    """What a case did: exit status (None if the command did not return), output, time, escapes."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    escaped: str | None = None
    lost: list[str] = field(default_factory=list)


# ----- running -------------------------------------------------------------------------------------
def _vm_bytes() -> int:
    """This process's address space now, bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def guard(seconds: float):
    """Raise Hang in this (main) thread after `seconds`; cap the address space at what it is now
    plus MEMORY_HEADROOM, so that a runaway allocation ends in MemoryError instead of swapping the machine."""
    def on_alarm(signum, frame):
        raise Hang(f"ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _vm_bytes() + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def fleet_main(argv: list[str], seconds: float = CASE_SECONDS) -> Outcome:
    """`fleet ARGV` in this process, in the current folder: its exit status and captured output.

    An argparse SystemExit becomes its code; any other exception escaping `main` (including a hang)
    is recorded in `escaped`, with no exit status."""
    out, err = io.StringIO(), io.StringIO()
    code, escaped = None, None
    started = time.perf_counter()
    saved_env = os.environ.pop("DASK_SCHEDULER_ADDRESS", None)
    try:
        with guard(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) or exc.code is None else 1
                code = 0 if code is None else code
    except Hang as exc:
        escaped = f"hang: {exc}"
    except MemoryError:
        escaped = f"MemoryError escaped main (over {MEMORY_HEADROOM >> 30} GiB more address space)"
    except BaseException as exc:  # noqa: BLE001 - anything else escaping main is what we look for
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Hang):
            raise
        escaped = f"{type(exc).__name__} escaped main: {str(exc)[:200]}"
    finally:
        if saved_env is not None:
            os.environ["DASK_SCHEDULER_ADDRESS"] = saved_env
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - started, escaped)


@contextlib.contextmanager
def inside(folder: Path):
    """Work in `folder` for a while."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def prepare(case: Case, root: Path) -> Path:
    """Make the case folder under `root` with its files and the user's files; return the folder."""
    here = root / CASE_DIR
    here.mkdir(parents=True)
    (here / "keep-here.txt").write_bytes(USER_FILE)
    (here.parent / "keep-parent.txt").write_bytes(USER_FILE)
    for rel, what in case.files:
        if isinstance(what, Fleet):
            with inside(here):
                done = fleet_main(list(what.argv), 60)
            if done.code != 0:
                raise RuntimeError(f"setup `fleet {' '.join(what.argv)}` failed ({done.code}, {done.escaped}): "
                                   f"{done.stderr[-SHOWN:]}")
            continue
        if isinstance(what, Truncate):
            matches = sorted(here.glob(rel))
            if not matches:
                raise RuntimeError(f"{case.id}: setup found no file {rel}")
            matches[0].write_bytes(what.content)
            continue
        path = here / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(what, bytes):
            path.write_bytes(what)
        elif isinstance(what, Fifo):
            os.mkfifo(path)
        elif isinstance(what, Symlink):
            path.symlink_to(what.target)
        elif isinstance(what, Folder):
            path.mkdir(exist_ok=True)
        else:
            raise TypeError(f"{case.id}: unknown file kind {what!r}")
    return here


def user_files(root: Path) -> dict[Path, bytes]:
    """The user's files (named keep*) under `root`, with their content."""
    return {p: p.read_bytes() for p in root.rglob("keep*") if p.is_file() and not p.is_symlink()}


def run_case(case: Case, root: Path) -> Outcome:
    """Prepare the case under `root` (an empty scratch folder), run it there, and check the user's files."""
    here = prepare(case, root)
    before = user_files(root)
    with inside(here):
        outcome = fleet_main(list(case.argv), case.seconds)
    for path, content in before.items():
        if not path.is_file():
            outcome.lost.append(f"{path.relative_to(root)} deleted")
        elif path.read_bytes() != content:
            outcome.lost.append(f"{path.relative_to(root)} changed")
    return outcome


# ----- judging -------------------------------------------------------------------------------------
def option_names(argv: tuple[str, ...]) -> tuple[str, ...]:
    """What an exit-2 message about `argv` may name: the subcommand's options (as `--years` or
    `years`) and positionals, the positional value given, a value given quoted (`'happiness'`), or
    COMMAND for a missing or unknown subcommand."""
    names = ["COMMAND"]
    sub = build_parser()._subparsers._group_actions[0].choices   # noqa: SLF001 - argparse keeps them here
    if argv and argv[0] in sub:
        for action in sub[argv[0]]._actions:                          # noqa: SLF001
            names.extend(s for s in action.option_strings if s.startswith("--"))
            names.append(action.dest)
        if len(argv) > 1 and argv[1] and not argv[1].startswith("-"):
            names.append(argv[1])
        names.extend(f"'{a}'" for a in argv[2:] if a and not a.startswith("--"))
    return tuple(dict.fromkeys(names))


def names_one(message: str, names: tuple[str, ...]) -> bool:
    """`message` contains one of `names` as a whole word (`.` in `fleet: .: ...`, not at a sentence's end),
    or as the folder of a path (`res/manifest.json` names a file in the folder `res`)."""
    return any(re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", message) for n in names if n)


def shown(text: str) -> str:
    """At most SHOWN characters of `text`, its start and end, for a failure message."""
    if len(text) <= SHOWN:
        return text
    return f"{text[: SHOWN // 2]} [... {len(text) - SHOWN:,} characters ...] {text[-SHOWN // 2:]}"


def problems(case: Case, o: Outcome) -> list[str]:
    """Every rule the outcome breaks (empty: the case passes)."""
    found = [f"user's file {lost}" for lost in o.lost]
    if o.escaped:
        return [o.escaped, *found]
    both = o.stdout + o.stderr
    if o.code not in (0, 1, 2):
        found.append(f"exit {o.code}")
    elif case.expect and o.code not in case.expect:
        found.append(f"exit {o.code} where issue 11 wants {' or '.join(map(str, case.expect))}")
    if "Traceback" in both:
        found.append("a traceback")
    if "internal error" in both:
        found.append('"internal error"')
    if o.code == 1 and not POLICY_LINE.search(both):
        found.append("exit 1 without a named policy error (a line starting `policy `)")
    if o.code == 2:
        if not o.stderr.strip():
            found.append("exit 2 with nothing on stderr")
        elif not names_one(o.stderr, case.names or option_names(case.argv)):
            found.append("exit 2 with a message naming neither the file nor the option")
    if len(o.stderr.encode("utf-8", "replace")) > STDERR_LIMIT:
        found.append(f"stderr of {len(o.stderr.encode('utf-8', 'replace')):,} bytes")
    for stream, text in (("stderr", o.stderr), ("stdout", o.stdout)):
        bad = CONTROL.search(text)
        if bad:
            found.append(f"control character U+{ord(bad.group()):04X} on {stream}")
    if o.code == 0 and not o.stdout.strip():
        found.append("exit 0 with nothing on stdout")
    return found


def report(case: Case, o: Outcome, found: list[str]) -> str:
    """A failure message: the case, what is wrong, and the start and end of its output."""
    return (f"{case.id}: fleet {' '.join(a if len(a) < 80 else a[:60] + '...' for a in case.argv)}\n"
            f"  exit {o.code} after {o.seconds:.2f} s: {'; '.join(found)}\n"
            f"  stderr: {shown(o.stderr)!r}\n  stdout: {shown(o.stdout)!r}")
