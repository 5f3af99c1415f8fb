"""Start-up: each command imports only what it needs (which modules, not how long: the
timings are benchmarks, see docs/performance.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixls_assist.cli.main import COMMANDS, build_parser, command_of
from tests.conftest import REPO, run_cli

# Never needed outside `serve` / `index fetch`.
SERVER_AND_NETWORK = ("lsprotocol", "pygls", "httpx", "rich", "nixls_assist.server",
                      "option_index.sources.download", "nixls_assist.cli.index")


def imported(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> set[str]:
    """The modules `python -m nixls_assist ARGS` imports (from `-X importtime`)."""
    done = run_cli(*args, cwd=cwd, env={**(env or {}), "PYTHONPROFILEIMPORTTIME": "1"})
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, done.stderr
    return names


def loaded(names: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {n for n in names for p in prefixes if n == p or n.startswith(p + ".")}


def test_version_imports_nothing_of_the_tool() -> None:
    names = imported("--version")
    assert {n for n in names if n.startswith("nixls_assist")} <= {"nixls_assist",
                                                                  "nixls_assist.__main__"}
    assert "argparse" not in names
    assert not loaded(names, ("option_index", "tree_sitter"))


def test_check_imports_neither_server_nor_network(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "fleet", tmp_path / "flake")
    names = imported("check", "--no-cache", "--fail-on", "never", ".", cwd=tmp_path / "flake",
                     env={"NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")})
    assert not loaded(names, SERVER_AND_NETWORK)
    # the other commands' modules
    assert not loaded(names, ("nixls_assist.cli.where", "nixls_assist.cli.fleet",
                              "nixls_assist.cli.imperative", "nixls_assist.features.profiles"))
    # one process: no worker pool
    assert "multiprocessing" not in names


def test_a_cached_check_imports_no_rule(tmp_path: Path) -> None:
    """Every file answered by the result cache (the run cache's record dropped): contexts
    are resolved, no rule is imported; and an unchanged run replayed imports no checker."""
    shutil.copytree(REPO / "examples" / "fleet", tmp_path / "flake")
    env = {"NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache")}
    run_cli("check", "--fail-on", "never", ".", cwd=tmp_path / "flake", env=env)
    shutil.rmtree(tmp_path / "cache" / "check" / "runs")
    names = imported("check", "--fail-on", "never", ".", cwd=tmp_path / "flake", env=env)
    assert "nixls_assist.context.resolver" in names
    assert loaded(names, ("nixls_assist.rules",)) == {
        "nixls_assist.rules", "nixls_assist.rules.base", "nixls_assist.rules.engine"}
    assert not loaded(names, ("nixls_assist.features", "nixls_assist.analysis.upgrade"))
    for _ in range(2):  # the first run after the one above records again
        names = imported("check", "--fail-on", "never", ".", cwd=tmp_path / "flake", env=env)
    assert {n for n in names if n.startswith("nixls_assist")} <= {
        "nixls_assist", "nixls_assist.__main__", "nixls_assist.run_cache"}
    assert "nixls_assist.run_cache" in names
    assert not loaded(names, ("option_index", "tree_sitter", "argparse", "pathspec"))


def test_explain_imports_neither_server_nor_network() -> None:
    names = imported("explain", "NXA001")
    assert not loaded(names, SERVER_AND_NETWORK)


@pytest.mark.parametrize("argv, command", [
    (["check", "."], "check"), (["--debug", "where", "x"], "where"), (["--version"], None),
    (["-h"], None), (["bogus"], None), ([], None),
])
def test_command_of(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def test_help_lines_match_the_commands() -> None:
    """The placeholder help of each command is the help its own module gives it."""
    full = build_parser()
    action = next(a for a in full._actions if a.dest == "command")
    real = {choice.dest: choice.help for choice in action._choices_actions}
    for name, (_, _, help_line) in COMMANDS.items():
        assert real[name] == help_line, name
    for name in COMMANDS:
        lazy = build_parser(name)
        action = next(a for a in lazy._actions if a.dest == "command")
        assert [c.dest for c in action._choices_actions] == list(real)
