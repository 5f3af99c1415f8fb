"""Formatting a document with the user's formatter (`nixfmt`, `alejandra`, `nixpkgs-fmt`):
the text goes to its stdin, the formatted text comes back on stdout. Nothing is written to
disk; the editor gets one minimal edit, or a sentence saying why there is none."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from nixls_assist.analysis.fixes import as_one_edit
from nixls_assist.findings import Edit

DEFAULT_FORMATTERS = ("nixfmt", "alejandra", "nixpkgs-fmt")
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Formatted:
    edit: Edit | None  # None: already formatted, or `problem`
    problem: str | None = None


def formatter_command(configured: Sequence[str]) -> list[str] | None:
    """The configured argv, else the first default formatter on PATH; None when none is."""
    if configured:
        return list(configured)
    for name in DEFAULT_FORMATTERS:
        found = shutil.which(name)
        if found is not None:
            return [found]
    return None


def format_source(source: bytes, configured: Sequence[str]) -> Formatted:
    command = formatter_command(configured)
    if command is None:
        return Formatted(None, "no Nix formatter found: install `nixfmt` (or `alejandra`, "
                               "`nixpkgs-fmt`) or set `formattingCommand`")
    try:
        done = subprocess.run(command, input=source, capture_output=True,
                              timeout=TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        return Formatted(None, f"formatter `{command[0]}` not found; check `formattingCommand`")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Formatted(None, f"formatter `{command[0]}` failed: {exc}")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        first = reason[0] if reason else f"exit code {done.returncode}"
        return Formatted(None, f"formatter `{command[0]}` refused the file: {first}")
    if not done.stdout.strip() and source.strip():
        return Formatted(None, f"formatter `{command[0]}` printed nothing; file left as it is")
    return Formatted(as_one_edit(source, done.stdout))
