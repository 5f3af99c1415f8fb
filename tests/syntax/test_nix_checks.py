"""Unit tests of the checks Nix makes while parsing: recoveries, scopes, duplicates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixls_assist.syntax.document import parse
from nixls_assist.syntax.duplicates import duplicate_attributes
from nixls_assist.syntax.errors import PIPE_OPERATOR, first_syntax_error, syntax_problems

ROWS = (Path(__file__).parent / "merge_rules.txt").read_text().splitlines()
# The rows of issue 4's table and more; which ones Nix 2.8 rejects (measured).
REJECTED = {5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 23, 24, 28, 29, 30, 32, 33, 36}


@pytest.mark.parametrize("number", range(len(ROWS)))
def test_merge_rules(number: int) -> None:
    source = "a: b: x: " + ROWS[number]
    found = duplicate_attributes(parse(source))
    assert bool(found) == (number in REJECTED), ROWS[number]


@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="needs nix-instantiate")
def test_merge_rule_expectations_are_nixs() -> None:
    for number, row in enumerate(ROWS):
        run = subprocess.run(["nix-instantiate", "--parse", "-E", "a: b: x: " + row],
                             capture_output=True, check=False)
        assert (run.returncode != 0) == (number in REJECTED), row


@pytest.mark.parametrize("source", [
    "{ lib, stdenv, }: 1",
    "{\n  lib,\n  stdenv,\n}:\n1",
    "{ pkgs ? import <nixpkgs> { }, }: pkgs",
    "{ x ? 0, }: x",
    "{ x, /* c */ }: x",
    "args@{ a, b, }: a",
    "{ }: 1",
])
def test_recovered_trailing_commas_are_valid(source: str) -> None:
    assert first_syntax_error(parse(source)) is None


@pytest.mark.parametrize(("source", "message"), [
    ("{ lib, ..., }: 1", "unexpected `,`"),
    ("{ a, b, a }: 1", "duplicate function argument `a`"),
    ("a@{ a }: a", "duplicate function argument `a`"),
    ('let "${x}".a = 1; in 1', "not allowed in `let`"),
    ("{ inherit ${x}; }", "dynamic attributes not allowed in inherit"),
    ("./a/", "path has a trailing slash"),
    ("99999999999999999999", "invalid integer"),
    ("", "unexpected end of file"),
    ("# only a comment\n", "unexpected end of file"),
    ("[ htop ]", "undefined variable `htop`"),
    ("let inherit a; in 1", "undefined variable `a`"),
])
def test_parse_time_errors(source: str, message: str) -> None:
    problem = first_syntax_error(parse(source))
    assert problem is not None and message in problem.message


def test_comment_only_file_is_reported_where_nix_does() -> None:
    doc = parse("# a\n# bc\n\n")
    problem = first_syntax_error(doc)
    assert problem is not None and doc.lines.position(problem.span.start) == (1, 4)


def test_syntax_error_inside_a_function_wins_over_its_duplicate_formal() -> None:
    problem = first_syntax_error(parse("{ a, a }: ("))
    assert problem is not None and "end of file" in problem.message


@pytest.mark.parametrize("source", [
    "pkgs: with pkgs; [ htop ]", "x: [ x ]", "rec { a = b; b = 1; }", "let a = b; b = 1; in a",
    "{ a ? b, b }: a", "[ builtins true null __currentSystem toString import ]",
    "let or = 1; in { a.or = 2; }", "{ a.${x} = 1; }.a",
])
def test_defined_variables(source: str) -> None:
    problems = syntax_problems(parse(source.replace("${x}", "${toString 1}")))
    assert problems == []


def test_all_undefined_variables_are_reported() -> None:
    names = [p.message for p in syntax_problems(parse("[ a b (c: c) d ]"))]
    assert names == ["undefined variable `a`", "undefined variable `b`", "undefined variable `d`"]


def test_pipe_operator_is_one_problem() -> None:
    problems = syntax_problems(parse('x: x |> map toString |> builtins.concatStringsSep ""'))
    assert [p.kind for p in problems] == [PIPE_OPERATOR]
    assert syntax_problems(parse('x: "a |> b"')) == []


def test_deep_nesting_does_not_overflow() -> None:
    depth = 5000
    source = "let a = 1; in " + "[ (" * depth + "{ b = a; c = with a; d; }" + ") ]" * depth
    doc = parse(source)
    assert syntax_problems(doc) == []
    assert duplicate_attributes(doc) == []
    deep_sets = "{ a = " * depth + "1" + "; }" * depth
    assert first_syntax_error(parse(deep_sets)) is None
