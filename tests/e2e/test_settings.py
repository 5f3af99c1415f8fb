"""Settings: initializationOptions, workspace/configuration, bad input, file watching."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from nixls_assist.rules import RULES_BY_CODE
from tests.e2e.conftest import (
    FLAKE_2405,
    FLAKE_2411,
    diagnostics_for,
    initialize,
    open_file,
)

needs_nxa101 = pytest.mark.skipif("NXA101" not in RULES_BY_CODE,
                                  reason="NXA101 (renamed option) is not registered yet")
BROKEN = "{ home.username = ; }\n"


async def test_bad_initialization_options_show_one_message_and_use_defaults(client):
    await initialize(client, FLAKE_2411, options={"completionLimit": "yes",
                                                  "diagnosticsDelayMs": -5})
    uri = open_file(client, FLAKE_2411 / "home.nix", BROKEN)
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["NXA001"]
    assert len(client.messages) == 1
    message = client.messages[0].message
    assert "initializationOptions" in message and "completionLimit" in message
    assert "defaults" in message


async def test_unknown_setting_is_named(client):
    await initialize(client, FLAKE_2411, options={"skilReferences": []})
    uri = open_file(client, FLAKE_2411 / "home.nix", BROKEN)
    await diagnostics_for(client, uri, 1)
    assert len(client.messages) == 1 and "skilReferences" in client.messages[0].message


async def test_ignore_from_initialization_options(client):
    await initialize(client, FLAKE_2411, options={"nixls-assist": {"ignore": ["NXA0"]}})
    uri = open_file(client, FLAKE_2411 / "home.nix", BROKEN)
    assert await diagnostics_for(client, uri, 1) == []
    assert client.messages == []


@needs_nxa101
async def test_release_override_from_workspace_configuration(client):
    # The 24.05 flake's module checked as 24.11 because the editor says so.
    await initialize(client, FLAKE_2405, configuration={"release": "24.11"})
    uri = open_file(client, FLAKE_2405 / "configuration.nix")
    codes = [d.code for d in await diagnostics_for(client, uri, 1)]
    if "NXA101" not in codes:  # opened before the configuration arrived: wait for the rerun
        codes = [d.code for d in await diagnostics_for(client, uri, 1, after=1)]
    assert "NXA101" in codes


@needs_nxa101
async def test_flake_lock_change_is_picked_up(client, tmp_path):
    workspace = tmp_path / "flake"
    shutil.copytree(FLAKE_2405, workspace)
    await initialize(client, workspace)
    uri = open_file(client, workspace / "configuration.nix")
    assert "NXA101" not in [d.code for d in await diagnostics_for(client, uri, 1)]
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]

    shutil.copy(FLAKE_2411 / "flake.lock", workspace / "flake.lock")
    before = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(workspace / "flake.lock").as_uri(),
                        type=types.FileChangeType.Changed)]))
    after = await diagnostics_for(client, uri, 1, after=before)
    assert "NXA101" in [d.code for d in after]


async def test_server_survives_garbage_and_unknown_documents(client):
    await initialize(client, FLAKE_2411)
    missing = types.TextDocumentIdentifier(uri=(FLAKE_2411 / "nope.nix").as_uri())
    assert await client.text_document_hover_async(
        types.HoverParams(text_document=missing, position=types.Position(0, 0))) is None
    uri = open_file(client, FLAKE_2411 / "home.nix", "\ufffd{ \U0001f600 = ''\n" * 50)
    await diagnostics_for(client, uri, 1)
    # Positions far past the end and inside a surrogate pair are clamped, not fatal.
    for position in (types.Position(500, 3), types.Position(0, 4), types.Position(3, 10_000)):
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))
        await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    assert client.messages == []
