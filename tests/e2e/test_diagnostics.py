"""textDocument/publishDiagnostics: on open, change and save; versions; per-release results."""

from __future__ import annotations

import pytest
from lsprotocol import types

from nixls_assist.rules import RULES_BY_CODE
from tests.e2e.conftest import (
    FLAKE_2405,
    FLAKE_2411,
    change,
    diagnostics_for,
    initialize,
    open_file,
    range_of,
)

needs_nxa101 = pytest.mark.skipif("NXA101" not in RULES_BY_CODE,
                                  reason="NXA101 (renamed option) is not registered yet")


@needs_nxa101
async def test_same_module_gets_release_specific_diagnostics(client):
    await initialize(client, FLAKE_2411.parent)
    new = open_file(client, FLAKE_2411 / "configuration.nix")
    old = open_file(client, FLAKE_2405 / "configuration.nix")

    on_2411 = await diagnostics_for(client, new, version=1)
    on_2405 = await diagnostics_for(client, old, version=1)

    renamed = [d for d in on_2411 if d.code == "NXA101"]
    assert [range_of(d.range) for d in renamed] == ["15:2-15:24"]
    d = renamed[0]
    assert "hardware.graphics.enable" in d.message and "24.11" in d.message
    assert d.source == "nixls-assist"
    assert d.severity == types.DiagnosticSeverity.Warning
    assert list(d.tags or ()) == [types.DiagnosticTag.Deprecated]
    assert d.code_description is not None and d.code_description.href.endswith("#nxa101")
    assert d.data["fixes"][0]["edits"][0]["newText"] == "hardware.graphics.enable"
    assert [x for x in on_2405 if x.code == "NXA101"] == []


async def test_syntax_error_appears_and_clears_with_incremental_edits(client):
    await initialize(client, FLAKE_2411)
    path = FLAKE_2411 / "hardware-configuration.nix"
    uri = open_file(client, path)
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == []

    # Delete the `;` after `kvm-intel" ]` (line 6), then type it back in two steps.
    line = path.read_text().splitlines()[6]
    col = line.index("];") + 1
    change(client, uri, 2, (6, col), (6, col + 1), "")
    broken = await diagnostics_for(client, uri, 2)
    assert [d.code for d in broken] == ["NXA001"]
    assert broken[0].severity == types.DiagnosticSeverity.Error

    change(client, uri, 3, (6, col), (6, col), ";")
    assert await diagnostics_for(client, uri, 3) == []


async def test_burst_of_edits_publishes_the_last_version(client):
    await initialize(client, FLAKE_2411, options={"diagnosticsDelayMs": 100})
    uri = open_file(client, FLAKE_2411 / "home.nix")
    await diagnostics_for(client, uri, 1)
    text = '  programs.htop.enable = true;\n'
    for version, char in enumerate(text, start=2):
        change(client, uri, version, (14, version - 2), (14, version - 2), char)
    last = len(text) + 1
    assert await diagnostics_for(client, uri, last) == []
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions == sorted(versions)  # never an older version after a newer one
    assert len(versions) < len(text)  # debounced: not one run per keystroke


async def test_close_clears_diagnostics(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "home.nix", text="{ home.username = ; }\n")
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["NXA001"]
    before = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await diagnostics_for(client, uri, after=before) == []


async def test_save_republishes(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "home.nix")
    await diagnostics_for(client, uri, 1)
    before = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await diagnostics_for(client, uri, 1, after=before) == []


async def test_opening_an_index_reports_progress(client):
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "configuration.nix")
    await diagnostics_for(client, uri, 1)
    titles = [r.title for reports in client.progress_reports.values() for r in reports
              if isinstance(r, types.WorkDoneProgressBegin)]
    assert "Opening the nixos 24.11 option index" in titles
    kinds = [type(r).__name__ for reports in client.progress_reports.values() for r in reports]
    assert kinds.count("WorkDoneProgressBegin") == kinds.count("WorkDoneProgressEnd")
