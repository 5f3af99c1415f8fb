"""200 random incremental edits: the server stays alive and ends where `check` does."""

from __future__ import annotations

import json
import random

from lsprotocol import types

from tests.conftest import run_cli
from tests.e2e.conftest import FLAKE_2411, SERVER_ENV, diagnostics_for, initialize, open_file

FRAGMENTS = [
    "services.openssh.enable = true;\n", "hardware.opengl.enable = true;\n", "{ ", " }", ";",
    "\n", "  ", "networking.", "firewall.allowedTCPPorts = [ 22 80 ];\n", '"😀 ünïcode"',
    "# 😀 comment\n", "let x = 1; in ", "lib.mkIf true { boot.", "''\n  echo hi\n''", "=",
    "users.users.alice.password = \"hunter2\";\n", "${", "inherit (pkgs) git;\n", "./x.nix",
    "home-manager.users.bob = { programs.git.enable = true; };\n", ")", "(", "[", "]",
]


def _position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


def _key(r: dict | types.Range) -> tuple[int, int, int, int]:
    if isinstance(r, types.Range):
        return (r.start.line, r.start.character, r.end.line, r.end.character)
    return (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])


async def test_random_edits_end_equal_to_a_fresh_check(client):
    path = FLAKE_2411 / "configuration.nix"
    text = path.read_text()
    await initialize(client, FLAKE_2411, options={"diagnosticsDelayMs": 20})
    uri = open_file(client, path, text)
    await diagnostics_for(client, uri, 1)
    rng = random.Random(20241118)
    version = 1
    for _ in range(200):
        version += 1
        start = rng.randrange(len(text) + 1)
        if rng.random() < 0.6:
            end, new = start, rng.choice(FRAGMENTS)
        else:
            end, new = min(len(text), start + rng.randint(1, 20)), ""
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=_position(text, start), end=_position(text, end)),
                text=new)]))
        text = text[:start] + new + text[end:]

    final = await diagnostics_for(client, uri, version)
    fresh = run_cli("check", "-", "--stdin-filename", "configuration.nix", "--format", "json",
                    "--fail-on", "never", cwd=FLAKE_2411, stdin=text.encode(),
                    env={"NIXLS_ASSIST_CACHE_DIR": SERVER_ENV["NIXLS_ASSIST_CACHE_DIR"]})
    assert fresh.returncode == 0, fresh.stderr
    expected = sorted((f["code"], _key(f["range"])) for f in json.loads(fresh.stdout)["findings"])
    assert expected  # the edits leave findings to compare (NXA001 at least)
    assert sorted((d.code, _key(d.range)) for d in final) == expected
    assert client.messages == []  # no internal error was shown
    # Still serving requests.
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0)))
    assert hover is None or hover.contents
