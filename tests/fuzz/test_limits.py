"""Resource limits: size cap, 10,000-level nesting, 1 MB strings and odd bytes, each bounded
in time and answered with a finding instead of an exception."""

from __future__ import annotations

import time

import pytest

from nixls_assist.context import FileKind
from nixls_assist.syntax.document import TextChange, parse
from nixls_assist.syntax.loading import DEFAULT_MAX_BYTES, MAX_TREE_DEPTH, load_document, too_deep
from tests.fuzz.invariants import RELEASES, check_source
from tests.fuzz.nix_strategies import NESTING_SHAPES, SEEDS, deep_nesting

# Generous: the machine is shared; before the depth limit the `attrs` shape took 156 s.
SECONDS = 10.0
MODULE = b"{ config, lib, ... }:\n{\n  services.openssh.enable = true;\n}\n"


def _timed(data: bytes, kind: FileKind = FileKind.NIXOS) -> list:  # type: ignore[type-arg]
    started = time.monotonic()
    findings = check_source(data, kind, "24.11")
    assert time.monotonic() - started < SECONDS
    return findings


@pytest.mark.parametrize("shape", NESTING_SHAPES)
def test_ten_thousand_levels_of_nesting(shape: str) -> None:
    """tree-sitter parses it; no RecursionError; one NXA003 (or the syntax error) quickly."""
    data = deep_nesting(shape, 10_000)
    assert parse(data).root is not None
    codes = {f.code for f in _timed(data)}
    assert codes in ({"NXA003"}, {"NXA001"}), codes


@pytest.mark.parametrize("shape", NESTING_SHAPES)
def test_nesting_just_under_the_limit_is_analysed_in_time(shape: str) -> None:
    depth = 1
    while not too_deep(parse(deep_nesting(shape, depth * 2))) and depth < 10_000:
        depth *= 2
    findings = _timed(deep_nesting(shape, depth))
    assert "NXA003" not in {f.code for f in findings}


def test_deep_nesting_in_every_kind_and_release() -> None:
    data = deep_nesting("mkif", 10_000)
    for kind in FileKind:
        for release in RELEASES:
            assert [f.code for f in check_source(data, kind, release)] == ["NXA003"]


def test_depth_limit_message() -> None:
    doc = load_document(deep_nesting("attrs", 10_000), "deep.nix")
    assert doc.skipped
    assert doc.note is not None
    assert f"more than {MAX_TREE_DEPTH} levels" in doc.note.message
    assert not too_deep(parse(max(SEEDS, key=len)))


@pytest.mark.parametrize("shape", NESTING_SHAPES)
def test_incremental_edits_are_measured_like_a_fresh_parse(shape: str) -> None:
    """The server measures only the edited part: an edit that nests too deeply is caught,
    an edit elsewhere in a deep (allowed) document is not, exactly as a fresh parse says."""
    module = MODULE.decode()
    inside = module.index("true")
    for depth in (MAX_TREE_DEPTH // 4, MAX_TREE_DEPTH * 2):
        nested = deep_nesting(shape, depth).decode()
        edited = parse(module).apply([TextChange(inside, inside + 4, nested)])
        assert edited.edited is not None
        assert too_deep(edited) == too_deep(parse(edited.source))
        again = edited.apply([TextChange(0, 0, "# a comment\n")])
        assert too_deep(again) == too_deep(parse(again.source))


def test_size_cap_is_a_finding() -> None:
    data = b"{ a = \"" + b"x" * DEFAULT_MAX_BYTES + b"\"; }"
    findings = _timed(data)
    assert [f.code for f in findings] == ["NXA003"]
    assert "file too large to analyse" in findings[0].message


@pytest.mark.parametrize("data", [
    b"{ a = \"" + b"x" * 1_000_000 + b"\"; }",
    b"{ a = ''\n" + "日本😀".encode() * 100_000 + b"\n''; }",
    b"[ " + b"\"s\" " * 200_000 + b"]",
    b"{ " + b"".join(b"a%d = %d; " % (i, i) for i in range(50_000)) + b"}",
], ids=["1MB-string", "1MB-unicode-indented-string", "200k-list", "50k-bindings"])
def test_large_flat_inputs(data: bytes) -> None:
    _timed(data)


@pytest.mark.parametrize("transform", [
    lambda s: s.replace(b"\n", b"\r\n"),
    lambda s: b"\xef\xbb\xbf" + s,
    lambda s: s.replace(b"true", b"tr\0ue"),
    lambda s: s.replace(b"openssh", b"open\xffssh"),
    lambda s: s.replace(b"true", b"[ true ] |> builtins.head"),
    lambda s: s.replace(b"\n", b"\r"),
    lambda s: s.replace(b"openssh", "😀".encode()),
], ids=["crlf", "bom", "nul", "invalid-utf8", "pipe", "bare-cr", "astral"])
def test_odd_bytes(transform) -> None:  # type: ignore[no-untyped-def]
    for seed in (MODULE, *SEEDS[:10]):
        for kind in FileKind:
            check_source(transform(seed), kind, "24.11")
