"""Document versions are immutable values; forked workers get their job as arguments."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from nixls_assist.analysis.batch import _can_fork, _Pending, _run_workers
from nixls_assist.analysis.documents import DocumentStore
from nixls_assist.syntax.document import TextChange

TEXT = '{ ... }:\n{\n  networking.hostName = "atlas";\n}\n'


def test_a_change_makes_a_new_version_and_leaves_the_old_one_whole(tmp_path: Path) -> None:
    store = DocumentStore()
    uri = (tmp_path / "configuration.nix").as_uri()
    first = store.open(uri, 1, TEXT)
    start = TEXT.index("atlas")
    second = store.change(uri, 2, ([TextChange(start, start + 5, "vega")],
                                   TEXT.replace("atlas", "vega").encode()))
    assert second is not None and store.get(uri) is second
    assert (first.version, first.text) == (1, TEXT.encode())
    assert (second.version, second.text) == (2, TEXT.replace("atlas", "vega").encode())
    assert first.raw is None and second.raw is None  # the text is held once: doc.source
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.version = 3  # type: ignore[misc]


def test_a_skipped_document_keeps_the_editors_text(tmp_path: Path) -> None:
    store = DocumentStore()
    uri = (tmp_path / "blob.nix").as_uri()
    entry = store.open(uri, 1, "\x00binary")
    assert entry.doc.skipped and entry.text == b"\x00binary"


class _Workspace:
    """Checks a file by counting its bytes; fails on `bad`."""

    def check(self, data: bytes, path: Path | None, display: str,
              baseline: object = None) -> SimpleNamespace:
        if display == "bad":
            raise ValueError(f"cannot check {display}")
        doc = SimpleNamespace(source=data, skipped=False)
        return SimpleNamespace(doc=doc, findings=[len(data)],
                               context=SimpleNamespace(classification=display))


needs_fork = pytest.mark.skipif(not _can_fork(), reason="no fork on this platform")


@needs_fork
def test_workers_answer_in_input_order() -> None:
    pending = [_Pending(i, b"x" * i, None, f"f{i}") for i in range(60)]
    outputs = _run_workers(_Workspace(), pending, 3)  # type: ignore[arg-type]
    assert [findings for findings, *_ in outputs] == [[i] for i in range(60)]
    assert [classification for _, classification, *_ in outputs] == [f"f{i}" for i in range(60)]


@needs_fork
def test_a_workers_error_is_raised_here() -> None:
    pending = [_Pending(i, b"", None, "bad" if i == 37 else f"f{i}") for i in range(60)]
    with pytest.raises(ValueError, match="cannot check bad"):
        _run_workers(_Workspace(), pending, 2)  # type: ignore[arg-type]
