"""features/code_actions.py: quick fixes and the ignore comment (inline Nix); "fix all" is
the fix engine's (tests/analysis)."""

from __future__ import annotations

from nixls_assist.context.resolver import ContextResolver
from nixls_assist.edits import apply_edits
from nixls_assist.features.code_actions import ignore_here, quick_fixes
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.engine import Selection, check
from nixls_assist.syntax.document import parse


def _finding(text: str, needle: str, code: str = "NXA101", fixes: tuple[Fix, ...] = ()
             ) -> Finding:
    start = text.index(needle)
    return Finding(code, Severity.WARNING, Span(start, start + len(needle)), "m", fixes=fixes)


def test_ignore_comment_goes_on_its_own_line_with_the_same_indent():
    text = "{\n  services.x = {\n    password = \"hunter2\";\n  };\n}\n"
    doc = parse(text)
    action = ignore_here(doc, _finding(text, "password", "NXA201"))
    assert action is not None and action.title == "Ignore NXA201 here"
    fixed = apply_edits(doc.source, list(action.edits)).decode()
    assert fixed.splitlines()[2] == "    # nixls-assist: ignore NXA201"
    assert fixed.splitlines()[3] == '    password = "hunter2";'


def test_ignore_comment_suppresses_the_finding_in_the_engine():
    text = '{ ... }:\n{\n  users.users.bob.password = "x";\n}\n'
    doc = parse(text, "configuration.nix")
    ctx = ContextResolver().context_for(doc, None)
    findings = check(doc, ctx, None, Selection())
    flagged = [f for f in findings if f.code == "NXA201"]
    assert len(flagged) == 1
    action = ignore_here(doc, flagged[0])
    fixed = parse(apply_edits(doc.source, list(action.edits)))
    assert [f.code for f in check(fixed, ctx, None, Selection()) if f.code == "NXA201"] == []


def test_ignore_extends_an_existing_suppression_above():
    text = "{\n  # nixls-assist: ignore NXA201\n  password = \"x\";\n}\n"
    doc = parse(text)
    action = ignore_here(doc, _finding(text, "password", "NXA203"))
    fixed = apply_edits(doc.source, list(action.edits)).decode()
    assert fixed.splitlines()[1] == "  # nixls-assist: ignore NXA201, NXA203"
    assert ignore_here(doc, _finding(text, "password", "NXA201")) is None


def test_quick_fixes_prefer_the_single_safe_fix():
    text = "{ hardware.opengl.enable = true; }"
    safe = Fix("Rename", (Edit(Span(2, 24), "hardware.graphics.enable"),))
    unsafe = Fix("Delete", (Edit(Span(2, 33), ""),), Applicability.UNSAFE)
    shown = Fix("Read the notes", (), Applicability.DISPLAY_ONLY)
    actions = quick_fixes(_finding(text, "hardware.opengl.enable", fixes=(safe, unsafe, shown)))
    assert [(a.title, a.preferred) for a in actions] == [
        ("Rename", True), ("Delete (unsafe: review the change)", False)]
