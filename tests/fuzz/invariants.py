"""The invariants every input must keep, whatever its bytes.

`check_source` runs the whole pipeline the CLI and the server run on one document (load, parse,
option-path resolution, module references, syntax errors, every rule in every file kind) and
raises `AssertionError` naming the broken invariant. Any other exception is a crash.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nixls_assist.analysis.indexes import IndexProvider
from nixls_assist.context import Classification, FileContext, FileKind, ReleasePin
from nixls_assist.context.flake_lock import FlakeLock, read_flake_lock
from nixls_assist.context.git import Baseline
from nixls_assist.edits import apply_edits
from nixls_assist.findings import Applicability, Finding, Span
from nixls_assist.rules.engine import Selection, check
from nixls_assist.syntax.bindings import OptionBinding, module_bindings
from nixls_assist.syntax.document import ParsedDocument, TextChange, parse
from nixls_assist.syntax.duplicates import duplicate_attributes
from nixls_assist.syntax.errors import first_syntax_error
from nixls_assist.syntax.imports import module_references
from nixls_assist.syntax.loading import load_document
from tests.conftest import REPO
from tests.fuzz.nix_strategies import SECRET_MARK

RELEASES = ("23.05", "24.11", "25.05", "unstable", None)
FLEET_LOCK = read_flake_lock(REPO / "examples" / "fleet" / "flake.lock")
FILE_NAMES = {FileKind.FLAKE: "flake.nix", FileKind.HOME_MANAGER: "home.nix"}

# One option-index cache for the whole fuzz session: the embedded indexes unpack once.
_CACHE = Path(os.environ.get("NIXLS_FUZZ_CACHE") or tempfile.mkdtemp(prefix="nixls-fuzz-cache-"))
PROVIDER = IndexProvider(cache_dir=_CACHE)


@dataclass
class Counter:
    """How many inputs went through `check_source` (the long mode reports it)."""

    inputs: int = 0  # Nix documents through `check_source` / `check_incremental`
    data_inputs: int = 0  # flake.lock, options.json and config inputs
    findings: int = 0
    fixes_applied: int = 0


COUNTER = Counter()
_PROGRESS_LOG = os.environ.get("NIXLS_FUZZ_LOG")


def _progress() -> None:
    """Long runs append a line per 1,000 documents, so a stopped run still tells its count."""
    if _PROGRESS_LOG and COUNTER.inputs % 1000 == 0:
        with open(_PROGRESS_LOG, "a", encoding="utf-8") as out:
            out.write(f"progress: {COUNTER.inputs} Nix documents, {COUNTER.findings} findings, "
                      f"{COUNTER.fixes_applied} safe fixes applied\n")


def context(kind: FileKind, release: str | None, baseline: bytes | None = None,
            directory: str = "/fuzz/ws", lock: FlakeLock | None = None) -> FileContext:
    pin = ReleasePin(release, None, "fuzz", via="fuzz") if release else None
    path = Path(directory) / FILE_NAMES.get(kind, "configuration.nix")
    return FileContext(
        path, Classification(kind, "fuzz"), pin, pin,
        lock_path=FLEET_LOCK.path if kind is FileKind.FLAKE else None,
        lock=(lock or FLEET_LOCK) if kind is FileKind.FLAKE else None,
        baseline=Baseline(baseline, "fuzz baseline") if baseline is not None else None,
    )


def check_source(data: bytes, kind: FileKind, release: str | None,
                 baseline: bytes | None = None, directory: str = "/fuzz/ws",
                 lock: FlakeLock | None = None) -> list[Finding]:
    """Run everything on `data`; AssertionError names a broken invariant."""
    COUNTER.inputs += 1
    _progress()
    ctx = context(kind, release, baseline, directory, lock)
    doc = load_document(data, str(ctx.path))
    check_syntax_layer(doc)
    findings = check(doc, ctx, PROVIDER, Selection())
    COUNTER.findings += len(findings)
    parsed_before = first_syntax_error(doc) is None
    secrets = _planted_secrets(doc)
    for finding in findings:
        check_span(doc, finding.span, f"{finding.code} span")
        for related, note in finding.related:
            check_span(doc, related, f"{finding.code} related span")
            _no_secret(secrets, note, finding.code)
        _no_secret(secrets, finding.message, finding.code)
        _no_secret(secrets, finding.option or "", finding.code)
        for fix in finding.fixes:
            _no_secret(secrets, fix.title, finding.code)
            local = [e for e in fix.edits if e.file is None]
            for edit in local:
                check_span(doc, edit.span, f"{finding.code} fix edit")
            if fix.applicability is not Applicability.SAFE:
                continue
            fixed = apply_edits(doc.source, local)
            COUNTER.fixes_applied += 1
            if parsed_before:
                after = load_document(fixed, str(ctx.path))
                problem = first_syntax_error(after)
                assert problem is None, (
                    f"SAFE fix {fix.title!r} of {finding.code} breaks the syntax: {problem}")
    return findings


def check_syntax_layer(doc: ParsedDocument) -> None:
    """Parser, option-path resolution and module references on their own."""
    size = len(doc.source)
    first_syntax_error(doc)
    for is_module in (True, False):
        for binding in module_bindings(doc, file_is_module=is_module):
            assert binding.path == tuple(s.label for s in binding.segments)
            binding.dotted  # noqa: B018  (renders quoted names; must not raise)
            for segment in binding.segments:
                assert 0 <= segment.span.start <= segment.span.end <= size, segment
            # Bounds only: a full LSP round trip per binding would make the harness itself
            # quadratic on one-line files (findings get the full check below).
            spans = [binding.binding_span]
            if binding.segments[binding.own_from :]:
                spans.append(binding.own_span)
            for one in spans:
                assert 0 <= one.start <= one.end <= size, f"binding span {one} outside {size}"
    for reference in module_references(doc):
        assert reference is not None


def check_span(doc: ParsedDocument, span: Span, what: str) -> None:
    """Inside the document, start <= end, and on character boundaries (so it converts to
    LSP positions on UTF-16 boundaries and back to the same bytes)."""
    source = doc.source
    assert 0 <= span.start <= span.end <= len(source), f"{what} {span} outside 0..{len(source)}"
    lines = doc.lines
    for offset in (span.start, span.end):
        line, character = lines.position(offset)
        assert 0 <= line < lines.line_count
        if _on_char_boundary(source, offset) and _valid_utf8_line(doc, line):
            assert lines.offset(line, character) == offset, (
                f"{what}: byte {offset} -> {line}:{character} -> {lines.offset(line, character)}")
    if _valid_utf8(source):
        assert _on_char_boundary(source, span.start) and _on_char_boundary(source, span.end), (
            f"{what} {span} splits a UTF-8 character")


def _valid_utf8(source: bytes) -> bool:
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _valid_utf8_line(doc: ParsedDocument, line: int) -> bool:
    start = doc.lines.line_start(line)
    end = doc.source.find(b"\n", start)
    return _valid_utf8(doc.source[start : end if end != -1 else len(doc.source)])


def _on_char_boundary(source: bytes, offset: int) -> bool:
    return offset in (0, len(source)) or (source[offset] & 0xC0) != 0x80


def _planted_secrets(doc: ParsedDocument) -> list[str]:
    """Planted secrets the parser reads as string content (a mutation can turn one into an
    identifier, which an undefined-variable message then rightly names)."""
    found, source = [], doc.source
    start = source.find(SECRET_MARK.encode())
    while start != -1:
        end = start + len(SECRET_MARK)
        while end < len(source) and source[end : end + 1].isalnum():  # ASCII only
            end += 1
        node = doc.root.descendant_for_byte_range(start, end)
        if end - start >= len(SECRET_MARK) + 6 and node is not None and \
                node.type in ("string_fragment", "indented_string_fragment"):
            found.append(source[start:end].decode("ascii"))
        start = source.find(SECRET_MARK.encode(), end)
    return found


def _no_secret(secrets: list[str], text: str, code: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{code} prints the planted secret {secret!r}: {text!r}"


def check_incremental(source: bytes, changes: list[TextChange]) -> None:
    """`ParsedDocument.apply` gives the same tree and the same analysis as a fresh parse."""
    COUNTER.inputs += 1
    _progress()
    old = parse(source)
    module_bindings(old, file_is_module=True)  # analysed, so `new` reuses what it can
    duplicate_attributes(old)
    new = old.apply(changes)
    expected = source
    for change in changes:
        expected = expected[: change.start] + change.new_text.encode() + expected[change.end :]
    assert new.source == expected
    fresh = parse(expected)
    if not fresh.root.has_error:
        assert str(new.root) == str(fresh.root), "incremental re-parse differs from a fresh parse"
    # With errors, tree-sitter may recover differently (an ERROR node inside or outside a
    # binding_set); what users see must not differ: the findings.
    assert first_syntax_error(new) == first_syntax_error(fresh)
    ctx = context(FileKind.NIXOS, "24.11")
    found = [(f.code, f.span, f.message) for f in check(new, ctx, PROVIDER, Selection())]
    assert found == [(f.code, f.span, f.message) for f in check(fresh, ctx, PROVIDER, Selection())]
    if not fresh.root.has_error:
        assert _shown(module_bindings(new, file_is_module=True)) == \
            _shown(module_bindings(fresh, file_is_module=True))
    assert str(old.root) == str(parse(source).root), "apply() changed the old version's tree"


def _shown(bindings: tuple[OptionBinding, ...]) -> list[tuple[object, ...]]:
    """Everything a binding says, with its value node as (kind, range)."""
    return [(b.path, b.segments, b.scope, b.binding_span, b.own_from, b.is_leaf,
             None if b.value is None else (b.value.type, b.value.start_byte, b.value.end_byte))
            for b in bindings]
