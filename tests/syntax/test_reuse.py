"""Definitions carried over between versions of a document (syntax/reuse.py).

After an edit, the bindings of top-level definitions the edit did not touch are moved, not
re-walked. Whatever is moved must equal what a fresh parse of the new text gives, wherever
the edit lands, and no more than one old version may stay alive once retired versions are released.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from nixls_assist.syntax.bindings import OptionBinding, module_bindings
from nixls_assist.syntax.document import (
    RETIRED_LIMIT,
    ParsedDocument,
    TextChange,
    parse,
    release_retired,
)
from nixls_assist.syntax.duplicates import duplicate_attributes

PATHS = Path(__file__).parent / "paths"
MODULES = [PATHS / "home-manager-users.nix", PATHS / "nested-systems.nix",
           PATHS / "config-explicit.nix", PATHS / "nested-and-dotted.nix"]


def shown(doc: ParsedDocument) -> list[tuple[object, ...]]:
    def value(b: OptionBinding) -> object:
        return None if b.value is None else (b.value.type, b.value.start_byte, b.value.end_byte,
                                             b.value.text)
    return [(b.path, b.segments, b.scope, b.binding_span, b.own_from, b.is_leaf, value(b))
            for b in module_bindings(doc, file_is_module=True)]


def edits(source: bytes) -> list[TextChange]:
    """Insertions and deletions at every line start, and a rename inside a name."""
    found = []
    for number, line in enumerate(source.splitlines(keepends=True)):
        start = sum(len(x) for x in source.splitlines(keepends=True)[:number])
        found.append(TextChange(start, start, "  "))
        found.append(TextChange(start, start, "# note\n"))
        if line.strip():
            found.append(TextChange(start, start + len(line), ""))
    name = source.find(b"enable")
    if name != -1:
        found.append(TextChange(name, name + 6, "enabled"))
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_moved_definitions_equal_a_fresh_parse(module: Path) -> None:
    source = module.read_bytes()
    for change in edits(source):
        old = parse(source, str(module))
        module_bindings(old, file_is_module=True)
        duplicate_attributes(old)
        new = old.apply([change])
        fresh = parse(new.source, str(module))
        assert shown(new) == shown(fresh), change
        assert duplicates(new) == duplicates(fresh), change


def duplicates(doc: ParsedDocument) -> list[tuple[object, ...]]:
    return [(d.path, d.later, d.first, d.reason) for d in duplicate_attributes(doc)]


def test_repeated_names_are_found_after_an_edit_elsewhere() -> None:
    """A nested set's verdict is carried over; the edit can still create a duplicate."""
    source = b"""{ config, ... }:
{
  services.nginx = { enable = true; enable = false; };
  networking.hostName = "web";
}
"""
    old = parse(source)
    assert [d.path for d in duplicate_attributes(old)] == ["enable"]
    at = source.index(b"networking")
    new = old.apply([TextChange(at, at, 'services.nginx.user = "www";\n  ')])
    assert duplicates(new) == duplicates(parse(new.source))
    again = new.apply([TextChange(at, at, 'networking.hostName = "x";\n  ')])
    assert [d.path for d in duplicate_attributes(again)] == ["enable", "networking.hostName"]


def test_unchanged_definitions_are_carried_over() -> None:
    source = (PATHS / "home-manager-users.nix").read_bytes()
    old = parse(source)
    before = module_bindings(old, file_is_module=True)
    at = source.rindex(b"}")  # an edit at the end: every top-level binding is shared
    new = old.apply([TextChange(at, at, " ")])
    after = module_bindings(new, file_is_module=True)
    assert [b.value.id for b in after if b.value is not None] == \
        [b.value.id for b in before if b.value is not None]  # the same subtrees, not re-walked
    carried = new.memo[("binding_groups", True)].keys() & old.memo[("binding_groups", True)].keys()
    assert len(carried) >= len(old.memo[("binding_groups", True)]) - 1  # the one next to the edit
    assert len(carried) >= 5


def test_only_the_last_analysed_version_stays_alive() -> None:
    doc = parse((PATHS / "nested-systems.nix").read_bytes())
    module_bindings(doc, file_is_module=True)
    versions = []
    for n in range(20):
        versions.append(weakref.ref(doc))
        doc = doc.apply([TextChange(0, 0, f"# {n}\n")])
        if n % 3:
            module_bindings(doc, file_is_module=True)  # some versions are never analysed
    gc.collect()
    assert sum(ref() is not None for ref in versions) <= 1 + RETIRED_LIMIT  # freed later
    release_retired()  # what the server does after publishing
    gc.collect()
    assert sum(ref() is not None for ref in versions) <= 1


def test_a_scratch_copy_leaves_the_history_alone() -> None:
    """Completion's repaired copy reuses the current version's analyses, and the next real
    version still reuses them too."""
    source = (PATHS / "nested-systems.nix").read_bytes()
    first = parse(source)
    module_bindings(first, file_is_module=True)
    second = first.apply([TextChange(0, 0, "# edited\n")])  # not analysed yet
    scratch = second.apply([TextChange(0, 0, " ")], scratch=True)
    module_bindings(scratch, file_is_module=True)
    assert second.previous is first and scratch.previous is first
    assert shown(scratch) == shown(parse(scratch.source))
