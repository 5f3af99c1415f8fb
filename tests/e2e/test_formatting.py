"""textDocument/formatting: the user's formatter (a setting holding an argv), one edit."""

from __future__ import annotations

import sys

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize, open_file

# A stand-in formatter with nixfmt's contract (stdin → stdout, non-zero on a parse error).
INDENT_FOUR = [sys.executable, "-c",
               "import sys; t = sys.stdin.read(); "
               "sys.exit('unbalanced') if t.count('{') != t.count('}') else "
               "sys.stdout.write(t.replace('\\n  ', '\\n    '))"]


async def _format(client, uri):
    return await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))


async def test_formatting_runs_the_configured_command(fleet_client):
    result = await initialize(fleet_client, FLEET, options={"formattingCommand": INDENT_FOUR})
    assert result.capabilities.document_formatting_provider
    path = FLEET / "modules/common.nix"
    uri = open_file(fleet_client, path)
    edits = await _format(fleet_client, uri)
    assert len(edits) == 1
    text = path.read_text()
    lines = text.split("\n")
    start, end = edits[0].range.start, edits[0].range.end
    before = "\n".join([*lines[: start.line], lines[start.line][: start.character]])
    after = lines[end.line][end.character:]
    rest = "\n".join([after, *lines[end.line + 1:]])
    assert before + edits[0].new_text + rest == text.replace("\n  ", "\n    ")


async def test_formatting_failure_changes_nothing_and_says_why(fleet_client):
    await initialize(fleet_client, FLEET, options={"formattingCommand": INDENT_FOUR})
    uri = open_file(fleet_client, FLEET / "modules/common.nix", "{ a = {; }\n")
    assert await _format(fleet_client, uri) is None
    assert any("refused the file" in m.message for m in fleet_client.messages)


async def test_formatting_without_a_formatter_says_so(fleet_client):
    await initialize(fleet_client, FLEET, options={"formattingCommand": ["nixfmt-missing"]})
    uri = open_file(fleet_client, FLEET / "modules/common.nix")
    assert await _format(fleet_client, uri) is None
    assert any("not found" in m.message for m in fleet_client.messages)
