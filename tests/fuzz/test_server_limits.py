"""Resource limits through the real server (`python -m nixls_assist serve`, pytest-lsp).

A document the server does not analyse (binary, too deep) must still follow the editor's
edits exactly, and a pathological document must not block answers for the others.
"""

from __future__ import annotations

import asyncio
import time

from lsprotocol import types

from tests.e2e.conftest import (  # noqa: F401  (`client` is the pytest-lsp fixture)
    FLAKE_2411,
    change,
    client,
    diagnostics_for,
    initialize,
    open_file,
    range_of,
)
from tests.fuzz.nix_strategies import deep_nesting

MODULE = ("{ config, ... }:\n{\n  services.openssh.enable = true;X\n"
          "  networking.hostName = nope;\n}\n")


async def test_edits_to_a_skipped_binary_document_are_not_lost(client):  # noqa: F811
    """Regression: the server applied incremental edits to the *skipped* document's empty
    source, so after removing a NUL byte it analysed garbage instead of the editor's text."""
    await initialize(client, FLAKE_2411)
    uri = open_file(client, FLAKE_2411 / "configuration.nix", MODULE.replace("X", "\0"))
    first = await diagnostics_for(client, uri, 1)
    assert [d.code for d in first] == ["NXA003"]

    col = MODULE.splitlines()[2].index("X")
    change(client, uri, 2, (2, col), (2, col + 1), "")  # delete the NUL byte
    after = await diagnostics_for(client, uri, 2)
    assert [(d.code, range_of(d.range)) for d in after] == [("NXA001", "3:24-3:28")]
    assert "nope" in after[0].message


async def test_too_deep_document_is_skipped_and_others_still_answer(client):  # noqa: F811
    await initialize(client, FLAKE_2411)
    deep = deep_nesting("attrs", 10_000).decode()
    deep_uri = open_file(client, FLAKE_2411 / "home.nix", deep)
    uri = open_file(client, FLAKE_2411 / "configuration.nix", MODULE.replace("X", ""))

    started = time.monotonic()
    skipped = await diagnostics_for(client, deep_uri, 1)
    assert [d.code for d in skipped] == ["NXA003"]
    assert "nested too deeply" in skipped[0].message
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["NXA001"]
    hover = await asyncio.wait_for(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=2, character=12))), 20)
    assert hover is not None
    assert time.monotonic() - started < 20

    # An incremental edit that makes a normal document too deep, then undoes it.
    text = MODULE.replace("X", "")
    nested = "x = " + "{ a = " * 2000 + "1" + "; }" * 2000 + ";"
    change(client, uri, 2, (3, 2), (3, 2), nested)
    assert [d.code for d in await diagnostics_for(client, uri, 2)] == ["NXA003"]
    change(client, uri, 3, (3, 2), (3, 2 + len(nested)), "")
    restored = await diagnostics_for(client, uri, 3)
    assert [(d.code, range_of(d.range)) for d in restored] == [("NXA001", "3:24-3:28")]
    assert text.splitlines()[3][24:28] == "nope"
