"""The run cache of `check`: an unchanged repository answered with the last run's output.

The result cache (`analysis/result_cache.py`) spares the rules on an unchanged file, but a run
still starts the checker, reads the configuration and resolves every file's context before it
can ask. This cache answers a whole command line before any of that: a run that may be
cached records what it observed of the file system, and the next run with the same command
line, working directory and environment stats those paths again; when every one is as it
was, the recorded output (stdout and stderr in order) and exit code are replayed.

What a run observed is taken from the process itself, not from a list kept by hand:

- every file opened for reading (the `open` audit event: checked files, `flake.lock`,
  `.nixls-assist.toml`, `.gitignore`, option indexes, the tool's own code and data) → its
  mtime, size and inode;
- every directory listed (`os.scandir` / `os.listdir`: discovery's walk, the index cache
  directory) → its mtime, so that a new or removed file is noticed;
- every `os.stat` / `os.lstat` answer, including "no such file" (looking for a lock, a config
  or `.git` in the parent directories, the Nix store paths of pins): the same answer is
  required again;
- `git` run for a committed baseline → the repository's `HEAD`, the branch it names and
  `packed-refs` (a commit's objects do not change); any other program makes the run
  uncacheable.

Also in the key: the tool's version, the date (rules judge release support and lock age by
it) and the environment variables the checker reads. Worker processes send what they
observed back with their results (`analysis/batch.py`). Nothing under the check cache
directory itself counts. A record is one JSON file per (command line, working directory,
environment), written atomically; a damaged or foreign one is ignored and rewritten.
Mtime-based, like git's index and ruff's cache: an edit that keeps a file's size, inode and
mtime (to the nanosecond) is not noticed.

This module imports only the standard library's light modules: it runs before the checker
is imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Sequence
from typing import Any

from nixls_assist import __version__

FORMAT = 1
ENV_CACHE_DIR = "NIXLS_ASSIST_CACHE_DIR"
_MAX_AGE_SECONDS = 30 * 86400
# The environment the checker reads (cache and store locations, channels, git, which code
# runs); the date is compared separately.
_ENV_NAMES = frozenset({"HOME", "PATH", "USER", "NIX_PATH", "NIX_STORE_DIR", "TZ",
                        "PYTHONPATH"})
_ENV_PREFIXES = ("NIXLS_ASSIST_", "GIT_", "XDG_")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# The summary's time: replaced by the replay's own ("text": `checked in 0.12s`, "json":
# `"seconds": 0.123`).
_SECONDS_FORMATS = {"text": "{:.2f}s", "json": "{!r}"}

Signature = list[Any]


def check_cache_dir() -> str:
    """`$NIXLS_ASSIST_CACHE_DIR/check`, else the user cache directory's `nixls-assist/check`
    (platformdirs' answer; computed here on Linux without importing it)."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return os.path.join(env, "check")
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "nixls-assist", "check")
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("nixls-assist"), "check")


def _key(argv: Sequence[str]) -> str:
    env = sorted((name, value) for name, value in os.environ.items()
                 if name in _ENV_NAMES or name.startswith(_ENV_PREFIXES))
    ttys = [stream.isatty() if stream is not None else None
            for stream in (sys.stdin, sys.stdout, sys.stderr)]
    parts = [FORMAT, __version__, sys.executable, __file__, os.getcwd(), list(argv), env, ttys]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _record_path(key: str) -> str:
    return os.path.join(check_cache_dir(), "runs", f"{key[:32]}.json")


def _today() -> str:
    return time.strftime("%Y-%m-%d")


def _signature(result: os.stat_result | None, listed: bool = False) -> Signature:
    """What must stay the same of a path: a file's mtime, size and inode; a listed
    directory's mtime and inode; only the kind of anything else; or its absence."""
    if result is None:
        return ["-"]
    mode = result.st_mode
    if stat.S_ISREG(mode):
        return ["f", result.st_mtime_ns, result.st_size, result.st_ino]
    if stat.S_ISDIR(mode):
        return ["d", result.st_mtime_ns, result.st_ino] if listed else ["D"]
    if stat.S_ISLNK(mode):
        return ["l", result.st_mtime_ns, result.st_ino]
    return ["o", stat.S_IFMT(mode)]


def _current(path: str, follow: bool, listed: bool, real_stat: Any = os.stat) -> Signature:
    try:
        result = real_stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return _signature(None)
    return _signature(result, listed)


# -- replay --------------------------------------------------------------------------------

def replay(argv: Sequence[str]) -> int | None:
    """Write the recorded output of this command line and return its exit code, when every
    path the recorded run observed is as it was; else None (run normally)."""
    started = time.perf_counter()
    try:
        key = _key(argv)
        with open(_record_path(key), "rb") as handle:
            record = json.loads(handle.read())
        if not isinstance(record, dict) or record.get("format") != FORMAT \
                or record.get("key") != key or record.get("today") != _today():
            return None
        for path, follow, listed, signature in record["observed"]:
            if _current(path, follow, listed) != signature:
                return None
        output = record["output"]
        code = record["exit"]
        if not isinstance(code, int) or not isinstance(output, list) or not all(
                isinstance(chunk, list) and len(chunk) == 3 and chunk[0] in (0, 1)
                and (chunk[1] is None or chunk[1] in _SECONDS_FORMATS)
                and isinstance(chunk[2], str) for chunk in output):
            return None
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None  # no record, or a damaged one: the run rewrites it
    streams = (sys.stdout, sys.stderr)
    try:
        for stream, kind, text in output:
            if kind is None:
                streams[stream].write(text)
            else:
                seconds = time.perf_counter() - started
                streams[stream].write(_SECONDS_FORMATS[kind].format(
                    round(seconds, 3) if kind == "json" else seconds))
    except BrokenPipeError:  # `check … | head`: what was wanted was written
        pass
    return code


# -- recording -----------------------------------------------------------------------------

class _Tee:
    """A text stream that also keeps what is written to it, in order with the other one."""

    def __init__(self, stream: Any, number: int, chunks: list[list[Any]]) -> None:
        self._stream = stream
        self._number = number
        self._chunks = chunks

    def write(self, text: str) -> int:
        if self._chunks and self._chunks[-1][0] == self._number:
            self._chunks[-1][1].append(text)  # joined when saved
        else:
            self._chunks.append([self._number, [text]])
        return self._stream.write(text)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Recording:
    """What a run observed, while it runs. One per process (an audit hook cannot be
    removed: it is switched off instead)."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.key = _key(argv)
        self.today = _today()
        self.active = True
        self.allowed = False  # set by `check` when the run may be cached
        self.unsafe: str | None = None
        self.seconds: tuple[str, str, str] | None = None  # see `allow`
        self.observed: dict[tuple[str, bool], list[Any]] = {}  # → [listed, signature]
        # Paths looked at already: by os.stat / os.lstat, opened, listed.
        self._seen: set[tuple[Any, bool]] = set()
        self._opened: set[tuple[Any, bool]] = set()
        self._listed: set[tuple[Any, bool]] = set()
        self.chunks: list[list[Any]] = []
        self._skip = os.path.join(os.path.abspath(check_cache_dir()), "")
        self._stdout, self._stderr = sys.stdout, sys.stderr
        self._stat, self._lstat = os.stat, os.lstat

    # -- observing -----------------------------------------------------------------------

    def start(self) -> None:
        # Made first: creating it during the run would change its parent's listing (the
        # index cache directory, which the run lists) and spoil the record.
        with contextlib.suppress(OSError):
            os.makedirs(os.path.join(self._skip, "runs"), exist_ok=True)
        sys.addaudithook(self._audit)
        os.stat, os.lstat = self._recording_stat, self._recording_lstat  # type: ignore[assignment]
        sys.stdout = _Tee(self._stdout, 0, self.chunks)  # type: ignore[assignment]
        sys.stderr = _Tee(self._stderr, 1, self.chunks)  # type: ignore[assignment]

    def stop(self) -> None:
        self.active = False
        os.stat, os.lstat = self._stat, self._lstat  # type: ignore[assignment]
        sys.stdout, sys.stderr = self._stdout, self._stderr

    def _first(self, path: Any, follow: bool, seen: set[tuple[Any, bool]]) -> Any:
        """`path` as given (str or bytes) on the first look at it, else None: most paths are
        asked about many times, and the first answer is the one recorded."""
        if isinstance(path, int) or not self.active:
            return None
        try:
            raw = os.fspath(path)
        except TypeError:
            return None
        if (raw, follow) in seen:
            return None
        seen.add((raw, follow))
        return raw

    def _store(self, raw: Any, follow: bool, signature: Signature, listed: bool = False) -> None:
        try:
            text = os.path.abspath(os.fsdecode(raw))
        except (TypeError, ValueError):
            return
        if text.startswith(self._skip) or text + os.sep == self._skip:
            return
        if listed or (text, follow) not in self.observed:  # a listing outranks a stat
            self.observed[(text, follow)] = [listed, signature]

    def _recording_stat(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        follow = kwargs.get("follow_symlinks", True)
        try:
            result = self._stat(path, *args, **kwargs)
        except OSError:
            if (raw := self._first(path, follow, self._seen)) is not None:
                self._store(raw, follow, _signature(None))
            raise
        if (raw := self._first(path, follow, self._seen)) is not None:
            self._store(raw, follow, _signature(result))
        return result

    def _recording_lstat(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        try:
            result = self._lstat(path, *args, **kwargs)
        except OSError:
            if (raw := self._first(path, False, self._seen)) is not None:
                self._store(raw, False, _signature(None))
            raise
        if (raw := self._first(path, False, self._seen)) is not None:
            self._store(raw, False, _signature(result))
        return result

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return
            if (mode is not None and any(c in str(mode) for c in "wax+")) or \
                    (mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS):
                return
            self._observe(path, listed=False)
        elif event in ("os.scandir", "os.listdir"):
            self._observe(args[0] if args[0] is not None else ".", listed=True)
        elif event == "sqlite3.connect":
            self._observe_database(args[0])
        elif event == "subprocess.Popen":
            executable, command, cwd = args[0], args[1], args[2]
            program = executable or (command[0] if isinstance(command, (list, tuple))
                                     else command)
            if os.path.basename(os.fsdecode(program)) == "git":
                self._observe_git(os.fsdecode(cwd) if cwd is not None else os.getcwd())
            else:
                self.unsafe = f"ran {program}"
        elif event in ("os.system", "os.exec", "os.posix_spawn", "os.spawn"):
            self.unsafe = f"ran a program ({event})"

    def _observe(self, path: Any, *, listed: bool) -> None:
        raw = self._first(path, True, self._listed if listed else self._opened)
        if raw is None:
            return
        try:
            result = self._stat(raw)
        except (OSError, ValueError, TypeError):
            result = None
        self._store(raw, True, _signature(result, listed), listed)

    def _observe_database(self, database: Any) -> None:
        text = os.fsdecode(database) if not isinstance(database, str) else database
        if text in ("", ":memory:"):
            return
        if text.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            text = unquote(urlsplit(text).path)
        self._observe(text, listed=False)

    def _observe_git(self, cwd: str) -> None:
        """The repository state a `git cat-file HEAD:…` answer depends on."""
        directory = os.path.abspath(cwd)
        while True:
            dot_git = os.path.join(directory, ".git")
            if os.path.isdir(dot_git):
                git_dir = dot_git
                break
            if os.path.isfile(dot_git):  # a worktree or submodule: `gitdir: …`
                self._observe(dot_git, listed=False)
                try:
                    with open(dot_git, encoding="utf-8") as handle:
                        line = handle.read().strip()
                except OSError:
                    self.unsafe = "unreadable .git file"
                    return
                git_dir = os.path.join(directory, line.removeprefix("gitdir:").strip())
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                return  # no repository: git answered nothing, the probes were recorded
            directory = parent
        common = git_dir
        try:
            with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
                common = os.path.join(git_dir, handle.read().strip())
        except OSError:
            pass
        head = os.path.join(git_dir, "HEAD")
        self._observe(head, listed=False)
        try:
            with open(head, encoding="utf-8") as handle:
                text = handle.read().strip()
        except OSError:
            return
        if text.startswith("ref:"):
            ref = text.removeprefix("ref:").strip()
            for base in {git_dir, common}:
                self._observe(os.path.join(base, ref), listed=False)
            self._observe(os.path.join(common, "packed-refs"), listed=False)

    # -- what `check` tells -----------------------------------------------------------------

    def allow(self, elapsed: tuple[str, str, str] | None = None) -> None:
        """The run may be cached. `elapsed`: the summary's time as printed, (the text before
        it, the value, its format in `_SECONDS_FORMATS`): the replay prints its own."""
        self.allowed = True
        if elapsed is not None and elapsed[2] in _SECONDS_FORMATS:
            self.seconds = elapsed

    def in_worker(self) -> None:
        """In a forked worker: the parent has what was observed before the fork, and it
        resolved the contexts (the stat probes); the worker's checks add the files they open
        (the option indexes), and wrapping their many stats would cost ~10% of a cold run."""
        self.observed.clear()
        os.stat, os.lstat = self._stat, self._lstat  # type: ignore[assignment]

    def merge(self, observed: list[list[Any]]) -> None:
        """What a worker process observed."""
        for path, follow, listed, signature in observed:
            self.observed.setdefault((path, follow), [listed, signature])

    def observed_list(self) -> list[list[Any]]:
        return [[path, follow, listed, signature]
                for (path, follow), (listed, signature) in self.observed.items()]

    # -- saving ----------------------------------------------------------------------------

    def save(self, code: int) -> None:
        """Write the record (atomically; a failure only costs the next run its shortcut)."""
        if not self.allowed or self.unsafe is not None or code not in (0, 1):
            return
        if _today() != self.today:
            return  # the run crossed midnight: which day did the rules see?
        record = {"format": FORMAT, "key": self.key, "today": self.today,
                  "observed": self.observed_list(), "output": self._output(), "exit": code}
        target = _record_path(self.key)
        directory = os.path.dirname(target)
        tmp = f"{target}.{os.getpid()}.tmp"
        try:
            os.makedirs(directory, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(record, handle, separators=(",", ":"))
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        _prune(directory)

    def _output(self) -> list[list[Any]]:
        """The chunks written, the summary's time (the last place it was printed) cut out."""
        chunks = [[stream, None, "".join(pieces)] for stream, pieces in self.chunks]
        if self.seconds is None:
            return chunks
        prefix, value, kind = self.seconds
        for position in range(len(chunks) - 1, -1, -1):
            stream, _, text = chunks[position]
            at = text.rfind(prefix + value)
            if stream == 0 and at >= 0:
                before, after = text[:at + len(prefix)], text[at + len(prefix) + len(value):]
                cut = [[0, None, before], [0, kind, ""], [0, None, after]]
                return [*chunks[:position], *cut, *chunks[position + 1:]]
        return chunks


def _prune(directory: str) -> None:
    """Drop records not written for a month (one per command line and directory)."""
    now = time.time()
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    if now - entry.stat().st_mtime > _MAX_AGE_SECONDS:
                        os.unlink(entry.path)
                except OSError:
                    continue
    except OSError:
        return


# The recording of this process, if `check` runs under one (`nixls_assist.__main__` starts
# it; `cli/check.py` allows saving it; worker processes hand their observations back).
_current_recording: Recording | None = None


def start(argv: Sequence[str]) -> Recording:
    global _current_recording
    _current_recording = Recording(argv)
    _current_recording.start()
    return _current_recording


def current() -> Recording | None:
    recording = _current_recording
    return recording if recording is not None and recording.active else None


def finish(recording: Recording, code: int | None) -> None:
    recording.stop()
    if code is not None:
        recording.save(code)
