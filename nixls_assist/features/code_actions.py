"""Code actions: a finding's own fixes, "ignore this code here", declaring packages.

Everything here works on nixls-assist values (findings, fixes, byte spans); the server turns
an `Action` into an LSP code action.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from nixls_assist.context import FileContext
from nixls_assist.features.declare_package import (
    WorkspaceFile,
    declare_fix,
    declare_profile_fix,
    declared_in,
)
from nixls_assist.findings import Applicability, Edit, Finding, Span
from nixls_assist.rules import RULES_BY_CODE
from nixls_assist.rules.imperative import NXA401
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.package_lists import package_lists
from nixls_assist.syntax.shell_installs import PackageRef

QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.nixls-assist"
# "Fix all" itself is the fix engine's result (analysis/fixes.py), as one action.
FIX_ALL_TITLE = "Fix all safe nixls-assist findings"
# The inline suppression the rules engine honours: on the line before the finding.
SUPPRESSION = "# nixls-assist: ignore {code}"
# An own-line suppression already above the finding: the code is added to its list.
_OWN_LINE = re.compile(
    rb"^[ \t]*#[ \t]*nixls-assist:[ \t]*ignore[ \t]+"
    rb"[A-Za-z]{3}\d{3}(?:[ \t]*,[ \t]*[A-Za-z]{3}\d{3})*")


@dataclass(frozen=True)
class Action:
    title: str
    kind: str
    edits: tuple[Edit, ...]
    preferred: bool = False
    finding: Finding | None = None  # the diagnostic the action resolves


def quick_fixes(finding: Finding) -> list[Action]:
    """One action per fix the finding carries; the safe one is preferred."""
    safe = [f for f in finding.fixes if f.applicability is Applicability.SAFE]
    return [
        Action(
            title=fix.title if fix.applicability is not Applicability.UNSAFE
            else f"{fix.title} (unsafe: review the change)",
            kind=QUICKFIX, edits=fix.edits,
            preferred=len(safe) == 1 and fix is safe[0], finding=finding)
        for fix in finding.fixes
        if fix.applicability is not Applicability.DISPLAY_ONLY and fix.edits
    ]


def ignore_here(doc: ParsedDocument, finding: Finding) -> Action | None:
    """Insert `# nixls-assist: ignore CODE` on its own line before the finding's line,
    indented like that line."""
    if finding.code not in RULES_BY_CODE:
        return None
    line, _ = doc.lines.position(finding.span.start)
    start = doc.lines.line_start(line)
    title = f"Ignore {finding.code} here"
    if line > 0:
        above = doc.lines.line_start(line - 1)
        if (match := _OWN_LINE.match(doc.source[above:start])) is not None:
            if finding.code.encode() in match.group(0):
                return None
            end = above + match.end()
            return Action(title, QUICKFIX, (Edit(Span(end, end), f", {finding.code}"),),
                          finding=finding)
    text = doc.source[start:].split(b"\n", 1)[0].decode("utf-8", errors="replace")
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    comment = f"{indent}{SUPPRESSION.format(code=finding.code)}\n"
    return Action(title, QUICKFIX, (Edit(Span(start, start), comment),), finding=finding)


def declare_actions(
    doc: ParsedDocument,
    ctx: FileContext,
    findings: Iterable[Finding],
    offset: int,
    files: Callable[[], Sequence[WorkspaceFile]],
    profile_packages: Callable[[], Sequence[PackageRef]],
) -> list[Action]:
    """Actions that need the rest of the workspace: declare an NXA401 package in the module
    that holds the package list, and "Declare N packages installed imperatively" on a list.
    `files` and `profile_packages` are only called when an action could apply."""
    found: list[Action] = []
    installs = [f for f in findings if f.code == NXA401.code and not any(x.edits for x in f.fixes)]
    workspace = files() if installs or on_package_list(doc, offset) else ()
    for finding in installs:
        fix = declare_fix(doc, ctx, finding, workspace)
        if fix is not None:
            found.append(Action(fix.title, QUICKFIX, fix.edits, finding=finding))
    if on_package_list(doc, offset):
        packages = profile_packages()
        fix = declare_profile_fix(doc, offset, packages, declared_in(workspace)) if packages \
            else None
        if fix is not None:
            found.append(Action(fix.title, QUICKFIX, fix.edits))
    return found


def on_package_list(doc: ParsedDocument, offset: int) -> bool:
    """Is `offset` inside `environment.systemPackages = …` / `home.packages = …`?"""
    return any(p.binding.start_byte <= offset <= p.binding.end_byte for p in package_lists(doc))
