"""One fleet graph per flake in a Workspace: membership, navigation and the upgrade report
share it, and a module file created or deleted is seen by the next answer."""

from __future__ import annotations

from pathlib import Path

from nixls_assist.analysis import Overrides, Workspace
from tests.fleet import layouts


def _workspace(root: Path) -> Workspace:
    return Workspace(Overrides(), roots=[root], strict_config=False)


def test_the_workspace_builds_one_graph_per_flake(tmp_path: Path) -> None:
    root = layouts.write(tmp_path, layouts.READDIR_LIB)
    workspace = _workspace(root)
    fleet = workspace.fleet(root / "hosts" / "lark")
    assert fleet is not None
    assert workspace.navigation.fleet(root) is fleet
    resolver = workspace.setup(root / "flake.nix").resolver
    assert resolver.fleet_of(root.resolve()) is fleet
    # A change of flake.nix on disk is seen without being told.
    flake = root / "flake.nix"
    flake.write_text(flake.read_text().replace("(builtins.readDir ./hosts)",
                                               '{ lark = "directory"; }'))
    rebuilt = workspace.fleet(root)
    assert rebuilt is not None and rebuilt is not fleet
    assert [c.name for c in rebuilt.configurations] == ["lark"]


def test_a_created_or_deleted_module_file_is_seen_after_invalidation(tmp_path: Path) -> None:
    root = layouts.write(tmp_path, layouts.READDIR_LIB)
    workspace = _workspace(root)
    names = [c.name for c in workspace.fleet(root).configurations]  # type: ignore[union-attr]
    assert names == ["lark", "wren"]
    layouts.write(root, {"hosts/ibis/default.nix": "{ networking.hostName = \"ibis\"; }\n"})
    workspace.invalidate_structure()  # the server's answer to a created file
    fleet = workspace.fleet(root)
    assert fleet is not None
    assert [c.name for c in fleet.configurations] == ["ibis", "lark", "wren"]
    (root / "hosts/lark/hardware.nix").unlink()
    workspace.invalidate_structure()
    lark = next(c for c in workspace.fleet(root).configurations  # type: ignore[union-attr]
                if c.name == "lark")
    assert [(u.expression, u.reason) for u in lark.unresolved] == [
        ("./hardware.nix", "`hosts/lark/hardware.nix` is not a readable file")]
