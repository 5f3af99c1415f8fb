"""The `index` sub-commands through add_index_parser / run_index (as the main CLI wires them)."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from nixls_assist.cli.index import add_index_parser, run_index

from .conftest import FIXTURES


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="nixls-assist")
    add_index_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    return run_index(args, out, err), out.getvalue(), err.getvalue()


def test_list_shows_embedded(cache_dir):
    code, out, _ = run("index", "--cache-dir", str(cache_dir), "list")
    assert code == 0
    assert "home-manager  24.11" in out and "embedded" in out
    assert "nixos" in out and "drift table" in out


def test_build_list_clear(tmp_path, cache_dir):
    src = tmp_path / "options.json"
    src.write_text(json.dumps({"services.a.enable": {"type": "boolean"}}))
    code, out, _ = run("index", "--cache-dir", str(cache_dir), "build", "--from", str(src),
                       "--system", "nixos", "--release", "nixos-24.11")
    assert code == 0 and "nixos 24.11: 1 options" in out
    code, out, _ = run("index", "--cache-dir", str(cache_dir), "list")
    assert f"options.json from {src}" in out
    code, out, _ = run("index", "--cache-dir", str(cache_dir), "build", "--from",
                       str(FIXTURES / "modules"), "--system", "nixos", "--release", "25.05")
    assert code == 0 and "7 drift records" in out
    code, out, _ = run("index", "--cache-dir", str(cache_dir), "clear")
    assert code == 0 and "removed 2" in out
    assert "options.json from" not in run("index", "--cache-dir", str(cache_dir), "list")[1]


def test_path(cache_dir):
    assert run("index", "--cache-dir", str(cache_dir), "path") == (0, f"{cache_dir}\n", "")


@pytest.mark.parametrize("argv,code,message", [
    (("build", "--from", "/nonexistent.json", "--release", "24.11"), 2, "does not exist"),
    (("fetch", "24.1"), 2, "not a release"),
    (("fetch", "24.11", "--system", "home-manager"), 2, "pass --url"),
    (("fetch", "24.11", "--url", "http://127.0.0.1:9/x.json", "--retries", "0",
      "--timeout", "0.2"), 1, "download of"),
    ((), 2, "usage"),
])
def test_errors(cache_dir, argv, code, message):
    result, out, err = run("index", "--cache-dir", str(cache_dir), *argv)
    assert result == code and message in err and out == ""
