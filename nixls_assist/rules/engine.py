"""The single entry point that runs rules: shared by the server, `check`, `--fix` and tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from nixls_assist import rules as registry
from nixls_assist.context import FileContext, FileKind
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.syntax.document import ParsedDocument


@dataclass(frozen=True)
class Selection:
    """Which codes run (prefixes allowed: `NXA2`) and per-code severity overrides."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: dict[str, Severity] = field(default_factory=dict)

    def enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def severity_of(self, finding: Finding) -> Severity:
        for prefix in sorted(self.severities, key=len, reverse=True):
            if finding.code.startswith(prefix):
                return self.severities[prefix]
        return finding.severity


def known_code(prefix: str) -> bool:
    """Is `prefix` a registered code or the prefix of one (`NXA2`)?"""
    return any(rule.code.startswith(prefix) for rule in registry.ALL_RULES)


def rules_for(selection: Selection) -> list[Rule]:
    return [rule for rule in registry.ALL_RULES if selection.enabled(rule.code)]


def check(
    doc: ParsedDocument,
    ctx: FileContext,
    indexes: Indexes | None = None,
    selection: Selection | None = None,
) -> list[Finding]:
    """All findings for one document, sorted by (span, code)."""
    selection = selection or Selection()
    findings = [f for part in check_steps(doc, ctx, indexes, selection) for f in part]
    return finish(doc, ctx, indexes, selection, findings)


def check_steps(
    doc: ParsedDocument,
    ctx: FileContext,
    indexes: Indexes | None,
    selection: Selection,
) -> Iterator[list[Finding]]:
    """The raw findings rule by rule, so a caller (the server) can yield to other work or
    give up on a stale version between two rules; `finish` turns them into the result."""
    for rule in rules_for(selection):
        if rule.function is not None:
            yield list(rule.function(doc, ctx, indexes))


def finish(
    doc: ParsedDocument,
    ctx: FileContext,
    indexes: Indexes | None,
    selection: Selection,
    findings: list[Finding],
) -> list[Finding]:
    """Suppression comments, severity overrides and the stable order."""
    from nixls_assist.rules.suppressions import NXA005, apply_suppressions

    rules = rules_for(selection)
    findings = apply_suppressions(
        doc, findings, {rule.code for rule in rules}, registry.RULES_BY_CODE,
        have_index=_index_available(ctx, indexes), report_unused=selection.enabled(NXA005.code),
    )
    findings = [_with_severity(finding, selection) for finding in findings]
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _index_available(ctx: FileContext, indexes: Indexes | None) -> bool:
    """Whether the option rules had an index for this file (else their codes cannot fire)."""
    pin = ctx.pin_for(ctx.kind)
    if indexes is None or pin is None:
        return False
    system = "home-manager" if ctx.kind is FileKind.HOME_MANAGER else "nixos"
    return indexes.get(system, pin) is not None


def _with_severity(finding: Finding, selection: Selection) -> Finding:
    severity = selection.severity_of(finding)
    return finding if severity is finding.severity else replace(finding, severity=severity)

