"""Finding a tree's `.nix` files and resolving their paths."""

from __future__ import annotations

import os
from pathlib import Path

from option_index.sources.nix_files import nix_files, resolve_file


def test_resolve_file_agrees_with_path_resolve(tmp_path: Path) -> None:
    real = tmp_path / "real" / "hosts"
    real.mkdir(parents=True)
    (real / "web.nix").write_text("{ }\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real")  # a symlinked directory
    (real / "alias.nix").symlink_to(real / "web.nix")  # a symlinked file
    cases = [real / "web.nix", tmp_path / "linked" / "hosts" / "web.nix",
             real / "alias.nix", real / ".." / "hosts" / "web.nix", real / "missing.nix"]
    for path in cases:
        assert resolve_file(path) == path.resolve(), path


def test_relative_paths_follow_the_working_directory(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.nix").write_text("{ }\n")
    before = Path.cwd()
    try:
        for name in ("a", "b"):
            os.chdir(tmp_path / name)
            assert resolve_file(Path("x.nix")) == (tmp_path / name / "x.nix").resolve()
    finally:
        os.chdir(before)


def test_nix_files_skip_hidden_and_vendored_directories(tmp_path: Path) -> None:
    for relative in ("hosts/web.nix", ".direnv/x.nix", "node_modules/y.nix", "result/z.nix",
                     "modules/base.nix", "README.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{ }\n")
    found = [p.relative_to(tmp_path).as_posix() for p in nix_files(tmp_path)]
    assert found == ["hosts/web.nix", "modules/base.nix"]
    assert len(list(nix_files(tmp_path, limit=1))) == 1
