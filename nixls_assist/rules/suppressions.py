"""Inline suppressions: `# nixls-assist: ignore NXA201, NXA202 -- reason`.

A comment on a line of its own silences the listed codes on the next code line;
a comment after code silences them on its own line. A suppression that silences
nothing is reported as NXA005, with a safe fix that removes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from nixls_assist.context import FileContext
from nixls_assist.findings import Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.syntax import NXA001
from nixls_assist.syntax.document import ParsedDocument

NXA005 = Rule(
    code="NXA005",
    name="unused-suppression",
    severity=Severity.INFO,
    summary="a `# nixls-assist: ignore` comment that suppresses nothing",
    fix=FixAvailability.ALWAYS,
)

MARKER = b"nixls-assist:"
_DIRECTIVE = re.compile(
    rb"nixls-assist:[ \t]*ignore[ \t]+(?P<codes>[A-Za-z]{3}\d{3}(?:[ \t]*,[ \t]*[A-Za-z]{3}\d{3})*)"
)
_CODE = re.compile(rb"[A-Za-z]{3}\d{3}")


@dataclass(frozen=True)
class Suppression:
    comment: Span  # the whole comment
    removal: Span  # what deleting the comment removes (its line, or ` # …` after code)
    codes: tuple[tuple[str, Span], ...]  # each code and where it is written
    target_line: int  # 0-based line whose findings it silences


@NXA005.check
def unused_suppression(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A suppression comment that suppresses nothing.

    ## What it does
    Reports a `# nixls-assist: ignore CODE` comment, or one code in it, when no
    finding with that code is reported on the line it applies to (the next line for
    a comment on its own line, the same line for a comment after code). Codes that
    no rule has are reported too. Suppressions of codes that did not run
    (`--select`/`--ignore`, or the option rules without a release pin and index) and
    of `NXA301` (which depends on git history) are left alone.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line, and tells the
    reader that something is wrong where nothing is.

    ## Example
    ```nix
    # nixls-assist: ignore NXA201
    services.openssh.enable = true;
    ```

    Use instead:
    ```nix
    services.openssh.enable = true;
    ```

    ## Fix safety
    Safe: the fix deletes the comment (or only the unused code in it); nothing
    else changes.

    ## References
    - `docs/ci.md` in this project: suppressions and configuration
    """
    # Reported by `apply_suppressions` after every other rule ran: only then is it
    # known which suppressions were used.
    return iter(())


def find_suppressions(doc: ParsedDocument) -> list[Suppression]:
    """Every suppression comment of `doc`, in order."""
    source = doc.source
    if MARKER not in source:
        return []
    found: list[Suppression] = []
    for match in _DIRECTIVE.finditer(source):
        node = doc.root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.type != "comment":
            continue  # inside a string: not a comment
        comment = Span(node.start_byte, node.end_byte)
        codes = tuple(
            (code.group().decode().upper(), Span(match.start("codes") + code.start(),
                                                  match.start("codes") + code.end()))
            for code in _CODE.finditer(match["codes"])
        )
        line, _ = doc.lines.position(comment.start)
        line_start = doc.lines.line_start(line)
        own_line = source[line_start:comment.start].strip() == b""
        if own_line:
            target = _next_code_line(doc, node.end_byte)
            line_end = source.find(b"\n", comment.end)
            removal = Span(line_start, len(source) if line_end < 0 else line_end + 1)
        else:
            target = line
            before = len(source[line_start:comment.start].rstrip(b" \t"))
            removal = Span(line_start + before, comment.end)
        found.append(Suppression(comment, removal, codes, target))
    return found


def _next_code_line(doc: ParsedDocument, offset: int) -> int:
    """The first line after the one holding `offset` that is neither blank nor a comment."""
    lines = doc.lines
    line = lines.position(offset)[0] + 1
    while line < lines.line_count:
        start = lines.line_start(line)
        end = lines.line_start(line + 1) if line + 1 < lines.line_count else len(doc.source)
        stripped = doc.source[start:end].strip()
        if stripped and not stripped.startswith(b"#"):
            return line
        line += 1
    return line


def apply_suppressions(
    doc: ParsedDocument,
    findings: list[Finding],
    enabled: frozenset[str] | set[str],
    known: Mapping[str, Rule],
    *,
    have_index: bool,
    report_unused: bool,
) -> list[Finding]:
    """`findings` minus the suppressed ones, plus NXA005 for suppressions that did nothing.

    `enabled` are the codes that ran; `known` every registered rule by code.
    """
    suppressions = find_suppressions(doc)
    if not suppressions:
        return findings
    by_line: dict[tuple[int, str], list[int]] = {}
    for number, suppression in enumerate(suppressions):
        for code, _ in suppression.codes:
            by_line.setdefault((suppression.target_line, code), []).append(number)
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    for finding in findings:
        line, _ = doc.lines.position(finding.span.start)
        owners = by_line.get((line, finding.code))
        if owners is None or finding.code == NXA005.code:
            kept.append(finding)
            continue
        used.update((owner, finding.code) for owner in owners)
    if report_unused and not any(f.code == NXA001.code for f in findings):
        kept.extend(_unused(doc, suppressions, used, enabled, known, have_index))
    return kept


def _unused(
    doc: ParsedDocument,
    suppressions: list[Suppression],
    used: set[tuple[int, str]],
    enabled: frozenset[str] | set[str],
    known: Mapping[str, Rule],
    have_index: bool,
) -> Iterator[Finding]:
    for number, suppression in enumerate(suppressions):
        unused = []
        for position, (code, span) in enumerate(suppression.codes):
            if (number, code) in used:
                continue
            rule = known.get(code)
            if rule is not None and (code not in enabled or rule.environment_dependent or
                                     (not have_index and rule.needs_index)):
                continue  # the rule did not run (or ran elsewhere): it cannot have been used
            unused.append((position, code, span))
        if not unused:
            continue
        if len(unused) == len(suppression.codes):
            listed = ", ".join(f"`{code}`" for _, code, _ in unused)
            yield NXA005.finding(
                suppression.comment,
                f"suppression of {listed} suppresses nothing{_unknown_note(unused, known)}; "
                "remove it",
                fixes=(Fix("Remove the suppression comment",
                           (Edit(suppression.removal, ""),)),),
            )
            continue
        for position, code, span in unused:
            yield NXA005.finding(
                span,
                f"suppression of `{code}` suppresses nothing"
                f"{_unknown_note([(position, code, span)], known)}; remove the code",
                fixes=(Fix(f"Remove `{code}` from the suppression",
                           (Edit(_code_removal(suppression, position), ""),)),),
            )


def _unknown_note(unused: list[tuple[int, str, Span]], known: Mapping[str, Rule]) -> str:
    unknown = [code for _, code, _ in unused if code not in known]
    if not unknown:
        return ""
    return f" (no rule has code {', '.join(f'`{c}`' for c in unknown)})"


def _code_removal(suppression: Suppression, position: int) -> Span:
    """The bytes to delete to drop one code and its comma from a list of several."""
    codes = suppression.codes
    if position + 1 < len(codes):
        return Span(codes[position][1].start, codes[position + 1][1].start)
    return Span(codes[position - 1][1].end, codes[position][1].end)
