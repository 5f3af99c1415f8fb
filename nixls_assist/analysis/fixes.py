"""The one fix engine: SAFE fixes applied in rounds to a fixpoint, never breaking the syntax.

`check --fix`, `check --diff` and the editor's "Fix all" all call `fix_document`: one
fixpoint loop, one overlap rule (`_overlap`), one parse guard (`_parses`: a fix whose result
does not parse is refused, the others still apply).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from nixls_assist import rules as registry
from nixls_assist.edits import OverlappingEdits, apply_edits
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.errors import first_syntax_error

MAX_ROUNDS = 20

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
                         secret_spans=[f.span for f in findings if is_secret(f)])
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


def is_secret(finding: Finding) -> bool:
    """Does the finding point at a secret (its rule says so)? Its span is masked in diffs."""
    rule = registry.RULES_BY_CODE.get(finding.code)
    return rule is not None and rule.secret


def as_one_edit(before: bytes, after: bytes) -> Edit | None:
    """The smallest single edit turning `before` into `after` (None: no change), for the
    editor, which applies a fix-all as one text edit. Never splits a UTF-8 sequence."""
    if before == after:
        return None
    limit = min(len(before), len(after))
    start = 0
    while start < limit and before[start] == after[start]:
        start += 1
    while start > 0 and (before[start] & 0xC0) == 0x80:
        start -= 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    while end > 0 and (before[len(before) - end] & 0xC0) == 0x80:
        end -= 1
    new_text = after[start : len(after) - end].decode("utf-8", errors="replace")
    return Edit(Span(start, len(before) - end), new_text)
