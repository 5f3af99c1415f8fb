"""`check --fix` / `--diff` output: writing fixed files atomically and showing the change as a
diff with secrets masked. The fixes themselves come from the analysis layer's fix engine."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from pathlib import Path

from nixls_assist.analysis import FixOutcome, is_secret
from nixls_assist.findings import Span

REDACTED = b"<redacted>"


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
                    [f.span for f in outcome.findings if is_secret(f)])
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
