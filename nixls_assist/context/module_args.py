"""A configuration's module arguments as the fleet graph's walk reads them (`fleet.py`)."""

from __future__ import annotations

from nixls_assist.context.static_values import (
    BoolV,
    External,
    NullV,
    NumV,
    PathV,
    StrV,
    Thunk,
)


class ModuleArgs(dict[str, Thunk]):
    """A configuration's module arguments (`specialArgs`) that note which names the module
    being walked reads, so that its walk can be reused by a configuration whose arguments
    agree on those names. Reading them all (a copy, `builtins.attrNames`) notes them all."""

    def __init__(self, entries: dict[str, Thunk]) -> None:
        super().__init__(entries)
        self.frames: list[dict[str, Thunk | None]] = []
        self.whole: list[bool] = []  # per frame: every name was read (the key set matters)

    def _note(self, name: str) -> None:
        if self.frames:
            self.frames[-1].setdefault(name, dict.get(self, name))

    def _note_all(self) -> None:
        if self.frames:
            for name in dict.keys(self):
                self._note(name)
            self.whole[-1] = True

    def get(self, name: str, default: Thunk | None = None) -> Thunk | None:  # type: ignore[override]
        self._note(name)
        return dict.get(self, name, default)

    def __getitem__(self, name: str) -> Thunk:
        self._note(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self._note(name)
        return dict.__contains__(self, name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.__iter__(self)

    def keys(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.keys(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.values(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._note_all()
        return dict.items(self)

    def __len__(self) -> int:
        self._note_all()
        return dict.__len__(self)

    def agrees(self, reads: dict[str, Thunk | None], whole: bool) -> bool:
        if whole and dict.keys(self) != reads.keys():
            return False
        return all(_same(dict.get(self, name), value) for name, value in reads.items())


_PLAIN = (External, PathV, StrV, NumV, BoolV, NullV)


def _same(mine: Thunk | None, read: Thunk | None) -> bool:
    """The same argument: the same thunk, or thunks of the same value (a helper library
    made per host from equal arguments is one value: see `Evaluator._call`), or of equal
    plain values (`hostName = "kestrel"`). Forcing them is safe: they are `specialArgs`,
    made outside the modules, and the walk that read `read` forced it already."""
    if mine is read:
        return True
    if mine is None or read is None or read.forced is None:
        return False
    value, other = mine.force(), read.forced
    return value is other or (isinstance(value, _PLAIN) and value == other)
