"""`check --fix` / `--diff`: apply SAFE fixes in rounds to a fixpoint, never breaking the syntax."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.edits import OverlappingEdits, apply_edits
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.errors import first_syntax_error

MAX_ROUNDS = 20
# Codes whose findings point at a secret: their spans are masked in diffs.
SECRET_PREFIX = "NXA2"
REDACTED = b"<redacted>"

Recheck = Callable[[bytes], tuple[ParsedDocument, list[Finding]]]


@dataclass
class FixOutcome:
    """What fixing one file did; `doc`/`findings` are the final state after re-checking."""

    original: bytes
    doc: ParsedDocument
    findings: list[Finding]
    applied: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    secret_spans: list[Span] = field(default_factory=list)  # in `original`

    @property
    def changed(self) -> bool:
        return self.doc.source != self.original


def safe_fix(finding: Finding) -> Fix | None:
    """The first SAFE fix of `finding` that only edits its own file."""
    for fix in finding.fixes:
        if fix.applicability is Applicability.SAFE and fix.edits and all(
            edit.file is None for edit in fix.edits
        ):
            return fix
    return None


def fix_document(doc: ParsedDocument, findings: list[Finding], recheck: Recheck) -> FixOutcome:
    """Apply safe fixes round by round (non-overlapping ones together) until none is left."""
    outcome = FixOutcome(doc.source, doc, findings,
                         secret_spans=[f.span for f in findings if _is_secret(f)])
    if doc.skipped or first_syntax_error(doc) is not None:
        if any(safe_fix(f) for f in findings):
            outcome.refused.append("not fixed: the file does not parse")
        return outcome
    seen = {doc.source}
    refused: set[tuple[str, str, bytes]] = set()
    for _ in range(MAX_ROUNDS):
        current = outcome.doc
        candidates = [
            (finding, fix) for finding in outcome.findings
            if (fix := safe_fix(finding)) and _key(current, finding, fix) not in refused
        ]
        batch = _non_overlapping(candidates)
        if not batch:
            break
        source = _apply(current.source, [edit for _, fix in batch for edit in fix.edits])
        if source is not None and _parses(source, current):
            outcome.applied.update(finding.code for finding, _ in batch)
        else:
            source = None
            for finding, fix in batch:  # find the fixes that break the syntax on their own
                attempt = _apply(current.source, list(fix.edits))
                if attempt is not None and _parses(attempt, current):
                    if source is None:
                        source = attempt
                        outcome.applied[finding.code] += 1
                    continue
                refused.add(_key(current, finding, fix))
                line, _ = current.lines.position(finding.span.start)
                outcome.refused.append(f"line {line + 1}: {finding.code} fix {fix.title!r} "
                                       "not applied: the result would not parse")
            if source is None:
                continue
        if source in seen:
            break
        seen.add(source)
        outcome.doc, outcome.findings = recheck(source)
    return outcome


def _key(doc: ParsedDocument, finding: Finding, fix: Fix) -> tuple[str, str, bytes]:
    """Identifies a fix across rounds (offsets move, the flagged text does not)."""
    return finding.code, fix.title, doc.source[finding.span.start : finding.span.end]


def _apply(source: bytes, edits: list[Edit]) -> bytes | None:
    try:
        return apply_edits(source, edits)
    except OverlappingEdits:
        return None


def _parses(source: bytes, like: ParsedDocument) -> bool:
    from nixls_assist.syntax.document import parse

    return first_syntax_error(parse(source, like.path)) is None


def _non_overlapping(pairs: list[tuple[Finding, Fix]]) -> list[tuple[Finding, Fix]]:
    """A greedy set of fixes whose edits touch disjoint bytes (in document order)."""
    chosen: list[tuple[Finding, Fix]] = []
    taken: list[Span] = []
    for finding, fix in sorted(pairs, key=lambda p: (p[1].edits[0].span.start, p[0].code)):
        spans = [edit.span for edit in fix.edits]
        if any(_overlap(a, b) for a in spans for b in taken):
            continue
        if any(_overlap(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]):
            continue
        chosen.append((finding, fix))
        taken.extend(spans)
    return chosen


def _overlap(a: Span, b: Span) -> bool:
    if a.start == b.start:
        return True  # same place (two insertions there have no defined order)
    return a.start < b.end and b.start < a.end


def _is_secret(finding: Finding) -> bool:
    return finding.code.startswith(SECRET_PREFIX)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path`'s content: temp file in the same directory, fsync, rename; mode kept."""
    target = path.resolve()  # a symlink keeps pointing at the fixed file
    mode = stat.S_IMODE(target.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unified_diff(display: str, outcome: FixOutcome) -> str:
    """The change as a unified diff, with every secret-bearing span masked."""
    before = _redact(outcome.original, outcome.secret_spans)
    after = _redact(outcome.doc.source,
                    [f.span for f in outcome.findings if _is_secret(f)])
    lines = difflib.unified_diff(
        before.decode("utf-8", errors="replace").splitlines(keepends=True),
        after.decode("utf-8", errors="replace").splitlines(keepends=True),
        fromfile=f"a/{display}", tofile=f"b/{display}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _redact(source: bytes, spans: list[Span]) -> bytes:
    """Mask whole lines touched by a secret finding (its span may not cover the value)."""
    merged: list[list[int]] = []
    for span in sorted(_whole_lines(source, span) for span in spans):
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    for start, end in reversed(merged):
        source = source[:start] + REDACTED + source[end:]
    return source


def _whole_lines(source: bytes, span: Span) -> Span:
    start = source.rfind(b"\n", 0, span.start) + 1
    while start < span.start and source[start : start + 1] in (b" ", b"\t"):
        start += 1
    end = source.find(b"\n", span.end)
    return Span(start, len(source) if end < 0 else end)
