"""textDocument/foldingRange and selectionRange: from the tree, nothing evaluated."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import FLEET, initialize, open_file, position_of, range_of


async def test_folding_ranges_of_a_module(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.folding_range_provider
    path = FLEET / "modules/backup.nix"
    text = "# Nightly backups.\n# One repository per host.\n" + path.read_text()
    uri = open_file(fleet_client, path, text)
    folds = await fleet_client.text_document_folding_range_async(types.FoldingRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(f.start_line, f.end_line, f.kind) for f in folds] == [
        (0, 1, types.FoldingRangeKind.Comment),  # the run of line comments
        (3, 4, types.FoldingRangeKind.Region),  # `let` down to the line before `in`
        (6, 17, types.FoldingRangeKind.Region),  # the module's body; `}` stays visible
        (7, 12, types.FoldingRangeKind.Region),  # options.fleet.backup = { … }
        (9, 11, types.FoldingRangeKind.Region),  # target = lib.mkOption { … }
        (15, 16, types.FoldingRangeKind.Region),  # config = lib.mkIf cfg.enable { … }
    ]


async def test_selection_ranges_grow_from_the_cursor(fleet_client):
    result = await initialize(fleet_client, FLEET)
    assert result.capabilities.selection_range_provider
    path = FLEET / "modules/backup.nix"
    uri = open_file(fleet_client, path)
    text = path.read_text()
    found = await fleet_client.text_document_selection_range_async(types.SelectionRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        positions=[position_of(text, "cfg.target", 5)]))
    assert len(found) == 1
    chain, selection = [], found[0]
    while selection is not None:
        chain.append(range_of(selection.range))
        selection = selection.parent
    assert chain == [
        "14:53-14:59",  # target
        "14:49-14:59",  # cfg.target
        "14:4-14:60",  # the binding
        "13:31-15:3",  # { … }
        "13:11-15:3",  # lib.mkIf cfg.enable { … }
        "13:2-15:4",  # config = …;
        "5:2-15:4",  # the module's bindings
        "4:0-16:1",  # the module's body
        "1:0-16:1",  # let … in …
        "0:0-16:1",  # the module function
        "0:0-17:0",  # the file
    ]
