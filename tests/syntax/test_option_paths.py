"""Path resolution goldens: each `paths/<name>.nix` beside `<name>.paths`.

A `.paths` line is `<system> <origin> <path> [leaf]` for every definition the resolver
finds, in source order. Negatives live in the same files: anything absent from the
golden (a `let` binding, an `options` declaration, an attrset passed to a function) must
stay absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nixls_assist.syntax import parse
from nixls_assist.syntax.bindings import option_bindings

HERE = Path(__file__).parent / "paths"
CASES = sorted(HERE.glob("*.nix"))


def render(source: Path) -> str:
    doc = parse(source.read_bytes(), str(source))
    as_module = not source.name.startswith("flake")
    lines = []
    for binding in option_bindings(doc, file_is_module=as_module):
        leaf = " leaf" if binding.is_leaf else ""
        lines.append(f"{binding.scope.system.value} {binding.scope.origin} "
                     f"{binding.dotted}{leaf}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("source", CASES, ids=[c.stem for c in CASES])
def test_paths(source: Path, request: pytest.FixtureRequest) -> None:
    golden = source.with_suffix(".paths")
    actual = render(source)
    if request.config.getoption("--snapshot-update") or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_segment_spans_point_at_the_source() -> None:
    source = HERE / "quoted-and-dynamic.nix"
    doc = parse(source.read_bytes())
    for binding in option_bindings(doc, file_is_module=True):
        for segment in binding.segments:
            text = doc.span_text(segment.span)
            if segment.name is None:
                assert text.startswith("${") or "${" in text
            elif segment.quoted:
                assert text.strip('"') == segment.name
            else:
                assert text == segment.name


def test_incremental_reparse_matches_a_fresh_parse() -> None:
    from nixls_assist.syntax.document import TextChange

    source = (HERE / "nested-and-dotted.nix").read_bytes()
    doc = parse(source)
    offset = source.index(b"enable = true")
    edited = doc.apply([TextChange(offset, offset + len("enable"), "enabled")])
    fresh = parse(edited.source)
    assert str(edited.root) == str(fresh.root)
    paths = {b.dotted for b in option_bindings(edited, file_is_module=True)}
    assert "services.openssh.enabled" in paths
    before = {b.dotted for b in option_bindings(doc, file_is_module=True)}
    assert "services.openssh.enable" in before


def test_quoted_config_makes_an_explicit_module() -> None:
    source = b"""{ lib, ... }:
{
  options.services.mine.enable = lib.mkEnableOption "mine";
  "config" = { services.openssh.enable = true; };
}
"""
    bindings = option_bindings(parse(source), file_is_module=True)
    assert [b.dotted for b in bindings] == ["services.openssh.enable"]
