"""What `check` found in each file, with positions converted for output."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.positions import LineIndex


@dataclass(frozen=True)
class FileResult:
    display_path: str  # relative to the working directory when possible
    path: Path | None
    doc: ParsedDocument | None  # None: from the result cache or a worker process (`lines` set)
    context: FileContext
    findings: list[Finding]
    lines: LineIndex | None = None
    notices: tuple[str, ...] = ()  # problems met while checking it (an index not opened)

    def position(self, offset: int) -> tuple[int, int]:
        lines = self.lines if self.lines is not None else self.doc.lines  # type: ignore[union-attr]
        return lines.position(offset)

    def lsp_range(self, span: Span) -> dict[str, dict[str, int]]:
        start = self.position(span.start)
        end = self.position(span.end)
        return {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        }

    @property
    def release_label(self) -> str:
        """Which release the file was checked against, and why, for humans."""
        ctx = self.context
        pin = ctx.pin_for(ctx.kind)
        if pin is None and ctx.lock_problem is not None:
            return f"release unknown: {ctx.lock_problem}"
        if pin is None:
            return "release unknown (no flake.lock; use --release or .nixls-assist.toml)"
        return f"{pin.label} — {pin.reason}"


@dataclass(frozen=True)
class FixRecord:
    """What `--fix` changed in one file (or refused to change)."""

    display_path: str
    applied: Counter[str]
    refused: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return sum(self.applied.values())


@dataclass(frozen=True)
class CheckReport:
    files: list[FileResult]
    seconds: float
    fixed: list[FixRecord] = field(default_factory=list)

    def all_findings(self) -> list[tuple[FileResult, Finding]]:
        pairs = [(result, finding) for result in self.files for finding in result.findings]
        pairs.sort(key=lambda p: (p[0].display_path, p[1].span.start, p[1].code))
        return pairs
