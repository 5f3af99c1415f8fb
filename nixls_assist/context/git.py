"""The version of a file to compare against: the committed one (CLI) or the one on disk (editor).

Only NXA301 (`stateVersion` changed) uses it. Reading the committed version runs
`git cat-file` once per file that mentions `stateVersion`, and quietly gives up outside a
repository, without git, for untracked files or on any git error.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from nixls_assist.syntax.document import ParsedDocument, parse

# Only files that can define a stateVersion need a baseline.
_MARKER = b"stateVersion"
_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, eq=False)
class Baseline:
    """An earlier version of a file's text and where it comes from (for messages)."""

    source: bytes
    label: str  # e.g. "HEAD", "the version on disk when the file was opened"

    @cached_property
    def doc(self) -> ParsedDocument:
        """The earlier version parsed once (the editor compares with it on every keystroke)."""
        return parse(self.source)


def committed_baseline(path: Path | None, source: bytes) -> Baseline | None:
    """The file's content at git `HEAD`, or None (no git, not tracked, nothing to compare)."""
    if path is None or _MARKER not in source or not path.is_file():
        return None
    if not _maybe_in_repository(path.parent):
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        result = subprocess.run(
            # `HEAD:./name` is relative to the working directory; no hooks, no fsmonitor.
            ["git", "-c", "core.fsmonitor=false", "--no-pager", "cat-file", "blob",
             f"HEAD:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return Baseline(result.stdout, "HEAD")


# Variables that let git find a repository without a `.git` above the file.
_GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")


def _maybe_in_repository(directory: Path) -> bool:
    """False only when git certainly finds no repository: no `.git` in `directory` or above
    and no variable pointing elsewhere (saves starting git once per file outside a repo)."""
    if any(name in os.environ for name in _GIT_LOCATION_VARIABLES):
        return True
    directory = directory.absolute()
    return any((candidate / ".git").exists() for candidate in (directory, *directory.parents))


class GitError(Exception):
    """git could not answer (not a repository, an unknown ref): the message says which."""


def changed_since(root: Path, ref: str) -> list[Path]:
    """Files changed between `ref` and the working tree (committed, staged or not, and
    untracked files), resolved, for `affected --since`."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    found: list[Path] = []
    for command in (["diff", "--name-only", "-z", ref, "--"],
                    ["ls-files", "--others", "--exclude-standard", "-z"]):
        try:
            result = subprocess.run(
                ["git", "-c", "core.fsmonitor=false", "--no-pager", *command],
                cwd=root, capture_output=True, timeout=60, env=env, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(f"cannot run git: {exc}") from exc
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(message[0] if message else f"git {command[0]} failed")
        top = _toplevel(root, env)
        base = top if command[0] == "diff" else root
        found.extend((base / name).resolve() for name in
                     result.stdout.decode(errors="replace").split("\0") if name)
    return list(dict.fromkeys(found))


def _toplevel(root: Path, env: dict[str, str]) -> Path:
    result = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root,
                            capture_output=True, timeout=10, env=env, check=False)
    text = result.stdout.decode(errors="replace").strip()
    return Path(text) if result.returncode == 0 and text else root


def file_at(root: Path, ref: str, path: Path) -> bytes | None:
    """The content of `path` at `ref` (`git show REF:path`); None when it is not there."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    top = _toplevel(root, env)
    try:
        name = path.resolve().relative_to(top.resolve()).as_posix()
        result = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "--no-pager", "show", f"{ref}:{name}"],
            cwd=root, capture_output=True, timeout=60, env=env, check=False)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None
