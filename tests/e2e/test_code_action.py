"""textDocument/codeAction: quick fixes from Diagnostic.data, fix-all, ignore comments."""

from __future__ import annotations

import pytest
from lsprotocol import types

from nixls_assist.rules import RULES_BY_CODE
from tests.e2e.conftest import FLAKE_2411, diagnostics_for, initialize, open_file

pytestmark = pytest.mark.skipif("NXA101" not in RULES_BY_CODE,
                                reason="NXA101 (renamed option) is not registered yet")


async def _actions(client, uri, diagnostics, only=None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostics[0].range if diagnostics else types.Range(
            start=types.Position(0, 0), end=types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))
    return list(result or [])


def _apply(client, uri: str, version: int, action: types.CodeAction) -> None:
    edits = action.edit.changes[uri]
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=edit.range,
                                                                    text=edit.new_text)]))


async def test_quick_fix_applied_then_rediagnosed_clean(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "configuration.nix")
    renamed = [d for d in await diagnostics_for(client, uri, 1) if d.code == "NXA101"]
    actions = await _actions(client, uri, renamed, [types.CodeActionKind.QuickFix])
    titles = [a.title for a in actions]
    assert "Ignore NXA101 here" in titles
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert [e.new_text for e in fix.edit.changes[uri]] == ["hardware.graphics.enable"]
    assert fix.diagnostics[0].code == "NXA101"

    _apply(client, uri, 2, fix)
    assert [d.code for d in await diagnostics_for(client, uri, 2)] == []


async def test_ignore_here_silences_the_finding(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "configuration.nix")
    renamed = [d for d in await diagnostics_for(client, uri, 1) if d.code == "NXA101"]
    actions = await _actions(client, uri, renamed)
    ignore = next(a for a in actions if a.title == "Ignore NXA101 here")
    assert ignore.edit.changes[uri][0].new_text == "  # nixls-assist: ignore NXA101\n"
    _apply(client, uri, 2, ignore)
    assert [d.code for d in await diagnostics_for(client, uri, 2)] == []


async def test_fix_all_applies_every_safe_fix(client):
    await initialize(client, FLAKE_2411)
    text = (FLAKE_2411 / "configuration.nix").read_text().replace(
        "  networking.hostName", "  hardware.opengl.driSupport32Bit = true;\n  networking.hostName")
    uri = open_file(client, FLAKE_2411 / "configuration.nix", text)
    before = await diagnostics_for(client, uri, 1)
    assert len([d for d in before if d.code == "NXA101"]) == 2
    actions = await _actions(client, uri, [], ["source.fixAll"])
    assert [a.kind for a in actions] == ["source.fixAll.nixls-assist"]
    _apply(client, uri, 2, actions[0])
    assert [d.code for d in await diagnostics_for(client, uri, 2)] == []


async def test_foreign_diagnostics_are_ignored(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "configuration.nix")
    await diagnostics_for(client, uri, 1)
    other = types.Diagnostic(range=types.Range(start=types.Position(3, 2),
                                               end=types.Position(3, 9)),
                             message="unused", source="nil", code="unused_binding")
    assert await _actions(client, uri, [other], [types.CodeActionKind.QuickFix]) == []
