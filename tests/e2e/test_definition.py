"""textDocument/definition and declaration: where an option is declared, without evaluating:
the user's own modules, else the pinned nixpkgs source in the Nix store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from tests.e2e.conftest import (
    FLEET,
    FLEET_STORE,
    GC_FLEET,
    TIMEOUT,
    initialize,
    open_file,
    position_of,
)


def _params(cls, path, needle, delta=1):
    return cls(text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
               position=position_of(path.read_text(), needle, delta))


async def test_definition_of_a_users_own_option_lands_on_its_declaration(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.definition_provider
    assert result.capabilities.declaration_provider
    path = FLEET / "hosts/osprey/configuration.nix"
    open_file(fleet_client, path)
    found = await fleet_client.text_document_definition_async(
        _params(types.DefinitionParams, path, "target"))
    assert [(loc.uri, loc.range.start.line) for loc in found] == [
        ((FLEET / "modules/backup.nix").as_uri(), 7)]
    declared = await fleet_client.text_document_declaration_async(
        _params(types.DeclarationParams, path, "target"))
    assert declared == found


async def test_definition_of_a_nixpkgs_option_opens_the_pinned_source(fleet_client):
    await initialize(fleet_client, FLEET)
    path = FLEET / "hosts/kestrel/configuration.nix"
    open_file(fleet_client, path)

    async def ask():  # the store's index is built in the background first
        while True:
            found = await fleet_client.text_document_definition_async(
                _params(types.DefinitionParams, path, "color"))
            if found:
                return found
            await asyncio.sleep(0.2)

    found = await asyncio.wait_for(ask(), TIMEOUT)
    assert len(found) == 1
    assert found[0].uri.startswith(FLEET_STORE.as_uri())
    assert found[0].uri.endswith("/nixos/modules/services/misc/frobnicator.nix")
    assert found[0].range.start.line == 12  # `color = lib.mkOption {`


async def test_no_definition_on_a_value(fleet_client):
    await initialize(fleet_client, FLEET)
    path = FLEET / "hosts/kestrel/configuration.nix"
    open_file(fleet_client, path)
    assert await fleet_client.text_document_definition_async(
        _params(types.DefinitionParams, path, '"kestrel"', 2)) == []



async def test_definition_after_the_source_left_the_disk_says_where_it_is_declared(
        gc_fleet_client):
    # The index was built from the store; then the store path was garbage-collected.
    await initialize(gc_fleet_client, GC_FLEET)
    path = GC_FLEET / "hosts/kestrel/configuration.nix"
    open_file(gc_fleet_client, path)

    async def ask():
        while True:
            found = await gc_fleet_client.text_document_definition_async(
                _params(types.DefinitionParams, path, "color"))
            if found:
                return found
            await asyncio.sleep(0.2)

    found = await asyncio.wait_for(ask(), TIMEOUT)
    declared = Path(found[0].uri.removeprefix("file://"))
    declared.parent.chmod(0o755)
    declared.chmod(0o644)
    declared.unlink()
    again = await gc_fleet_client.text_document_definition_async(
        _params(types.DefinitionParams, path, "color"))
    assert again == []
    said = [m for m in gc_fleet_client.messages if "is declared in" in m.message]
    assert len(said) == 1 and said[0].type == types.MessageType.Info
    assert said[0].message.startswith("nixls-assist: `services.frobnicator.color` is declared in ")
    assert said[0].message.endswith(
        "/nixos/modules/services/misc/frobnicator.nix:13 of nixpkgs pinned to `nixos-24.11` "
        "via flake.lock; that source is not on this machine")
