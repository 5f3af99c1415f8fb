"""Snapshot harness for rule fixtures (see STYLE.md, "Rule tests").

A fixture is `fixtures/<CODE>/<name>.nix` whose first line sets the context:
`# context: release=24.11 kind=nixos-module [hm-release=24.05] [today=2026-12-04]
[in-flake=true]`, or a directory
`fixtures/<CODE>/<name>/` holding a small workspace (flake.lock and all) checked
with the real context resolver. Findings of the fixture's code family are rendered
with excerpts and fix diffs into `<name>.snap` beside it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from nixls_assist.context import Classification, FileContext, FileKind, ReleasePin
from nixls_assist.context.resolver import ContextResolver, ContextSettings
from nixls_assist.edits import apply_edits
from nixls_assist.findings import Applicability, Finding
from nixls_assist.rules.engine import Selection, check
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.errors import first_syntax_error
from nixls_assist.syntax.loading import load_document

FIXTURES = Path(__file__).parent / "fixtures"
# The date lifecycle fixtures are judged on (header `today=YYYY-MM-DD` overrides it).
FIXTURE_TODAY = dt.date(2026, 12, 4)
CONTEXT_LINE = re.compile(r"^#\s*context:\s*(?P<pairs>.*)$")


def fixture_cases() -> list[Path]:
    cases = []
    for code_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(code_dir.iterdir()):
            if entry.suffix == ".nix" or (entry.is_dir() and not entry.name.startswith(".")):
                cases.append(entry)
    return cases


def indexes():  # type: ignore[no-untyped-def]
    """The real option indexes (embedded data), when that layer is available."""
    try:
        from nixls_assist.analysis.indexes import IndexProvider
    except ImportError:
        return None
    return IndexProvider()


def context_from_header(doc: ParsedDocument, path: Path) -> FileContext:
    first_line = doc.text.split("\n", 1)[0]
    match = CONTEXT_LINE.match(first_line)
    if match is None:
        raise AssertionError(f"{path}: first line must be `# context: release=… kind=…`")
    pairs = dict(pair.split("=", 1) for pair in match["pairs"].split())
    kind = FileKind(pairs.get("kind", "nixos-module"))
    release = pairs.get("release")
    hm_release = pairs.get("hm-release", release)
    nixos = _pin(release)
    home_manager = _pin(hm_release)
    today = dt.date.fromisoformat(pairs.get("today", FIXTURE_TODAY.isoformat()))
    return FileContext(path, Classification(kind, "fixture header"), nixos, home_manager,
                       today=today, in_flake=pairs.get("in-flake") == "true")


def _pin(release: str | None) -> ReleasePin | None:
    if release is None:
        return None
    return ReleasePin(release, None, "fixture header", via="the fixture header")


@dataclass
class CheckedFile:
    path: Path
    doc: ParsedDocument
    ctx: FileContext
    findings: list[Finding]


def family(code: str) -> Selection:
    """The fixture's whole code family: NXA1 for NXA101."""
    return Selection(select=(code[:4],))


def check_case(case: Path, code: str) -> list[CheckedFile]:
    selection = family(code)
    provider = indexes()
    if case.is_file():
        doc = load_document(case.read_bytes(), str(case))
        ctx = context_from_header(doc, case)
        return [CheckedFile(case, doc, ctx, check(doc, ctx, provider, selection))]
    resolver = ContextResolver(ContextSettings(today=FIXTURE_TODAY))
    checked = []
    for path in sorted(case.rglob("*.nix")):
        doc = load_document(path.read_bytes(), str(path))
        ctx = resolver.context_for(doc, path)
        checked.append(CheckedFile(path, doc, ctx, check(doc, ctx, provider, selection)))
    return checked


def render(checked: list[CheckedFile], base: Path) -> str:
    out: list[str] = []
    for item in checked:
        name = item.path.relative_to(base).as_posix()
        for finding in item.findings:
            line, col = item.doc.lines.position(finding.span.start)
            end_line, end_col = item.doc.lines.position(finding.span.end)
            out.append(f"{name}:{line + 1}:{col + 1}-{end_line + 1}:{end_col + 1} "
                       f"{finding.code} [{finding.severity.label}] {finding.message}")
            source_line = item.doc.text.split("\n")[line] if item.doc.text else ""
            out.append(f"    | {source_line}")
            for fix in finding.fixes:
                out.append(f"    fix ({fix.applicability.value}): {fix.title}")
                local = [e for e in fix.edits if e.file is None]
                fixed = apply_edits(item.doc.source, local).decode("utf-8", errors="replace")
                diff = difflib.unified_diff(item.doc.text.splitlines(), fixed.splitlines(),
                                            lineterm="", n=0)
                out.extend(f"    {d}" for d in list(diff)[2:])
        out.append(f"{name}: {len(item.findings)} finding(s)")
    return "\n".join(out) + "\n"


def verify_safe_fixes(item: CheckedFile, code: str) -> list[str]:
    """Apply each SAFE fix alone: the result must parse and the finding must be gone.

    A finding is known by its code and message (the message names what it is about: the
    option, the secret, the input), so "gone" means one finding fewer with that code and
    message after the fix, whatever the code."""
    problems: list[str] = []
    provider = indexes()
    for finding in item.findings:
        selection = family(code)
        before: int | None = None
        for fix in finding.fixes:
            if fix.applicability is not Applicability.SAFE:
                continue
            local = [e for e in fix.edits if e.file is None]
            fixed = load_document(apply_edits(item.doc.source, local), str(item.path))
            if first_syntax_error(fixed) is not None and first_syntax_error(item.doc) is None:
                problems.append(f"{item.path.name}: fix {fix.title!r} breaks the syntax")
                continue
            if before is None:
                before = _same(check(item.doc, item.ctx, provider, selection), finding)
            if _same(check(fixed, item.ctx, provider, selection), finding) >= before:
                problems.append(f"{item.path.name}: {finding.code} survives its fix {fix.title!r}")
    return problems


def _same(findings: list[Finding], finding: Finding) -> int:
    return sum(f.code == finding.code and f.message == finding.message for f in findings)
