"""Which rename / removal applies to a path at a release, following chains of renames.

Records are matched by prefix (a record for `hardware.opengl` covers `hardware.opengl.enable`,
and its suffix is carried over to the new name) and by placeholder (`<name>` / `*` in a record
match any segment). The same `from` can have different records in different releases, so the
choice is made per release, never from a global "dead names" set.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from option_index.model import DriftRecord
from option_index.paths import is_placeholder, show_path, split_path
from option_index.releases import UNSTABLE, release_key

_MAX_CHAIN = 8


def _applies(record: DriftRecord, release: str) -> bool:
    """Has the change happened by `release`, and is the old name not valid again?"""
    key = release_key(release)
    if release_key(record.release) > key:
        return False
    if record.reintroduced:
        again = record.reintroduced.lstrip("<=")
        if release_key(again) <= key:
            return False
    return True


def _in_shim_window(record: DriftRecord, release: str) -> bool:
    """For records read per release (home-manager): does `release`'s tree carry the shim?"""
    if not record.releases:
        return True
    return release in record.releases or (release == UNSTABLE and "master" in record.releases)


def _match(pattern: tuple[str, ...], path: Sequence[str]) -> list[str] | None:
    """Segments of `path` bound by the placeholders of `pattern` (a prefix of path), or None."""
    if len(pattern) > len(path):
        return None
    bound = []
    for p, s in zip(pattern, path, strict=False):
        if is_placeholder(p):
            bound.append(s)
        elif p != s:
            return None
    return bound


def _substitute(target: tuple[str, ...], bound: list[str]) -> tuple[str, ...]:
    """Put the user's names back into the placeholders of a record's `to`, in order.

    A placeholder of `to` with no counterpart in `from` is a literal (home-manager's
    `programs.ssh.matchBlocks.*` is the ssh host pattern "*") and stays as it is.
    """
    values = iter(bound)
    return tuple(next(values, seg) if is_placeholder(seg) else seg for seg in target)


class DriftTable:
    """All drift records of one system, indexed by the start of `from`."""

    def __init__(self, records: Iterable[DriftRecord]) -> None:
        # bucketed by the first two segments (one for one-segment paths): a lookup scans only
        # the records of its own module, not the whole namespace
        self._by_head: dict[tuple[str, ...], list[tuple[tuple[str, ...], DriftRecord]]] = \
            defaultdict(list)
        for rec in records:
            segs = split_path(rec.from_path)
            self._by_head[segs[:2]].append((segs, rec))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_head.values())

    def records(self) -> list[DriftRecord]:
        return [rec for recs in self._by_head.values() for _, rec in recs]

    def _direct(self, path: Sequence[str], release: str,
                is_option: Callable[[Sequence[str]], bool]) -> tuple[DriftRecord, tuple] | None:
        """The best record for `path` at `release`: longest `from`, shim present, newest."""
        best: tuple[tuple, DriftRecord, tuple] | None = None
        candidates = [*self._by_head.get(tuple(path[:1]), ()),
                      *(self._by_head.get(tuple(path[:2]), ()) if len(path) > 1 else ())]
        for segs, rec in candidates:
            bound = _match(segs, path)
            if bound is None or not _applies(rec, release):
                continue
            if rec.to_path is not None and _match(split_path(rec.to_path), path) is not None:
                continue  # already at the new place (`services.fcgiwrap.instances.<name>`)
            in_window = _in_shim_window(rec, release)
            if not in_window and is_option(path):
                continue  # the shim was dropped and the name is a real option again
            rank = (len(segs), in_window, release_key(rec.release))
            if best is None or rank > best[0]:
                to = None
                if rec.to_path is not None:
                    to = _substitute(split_path(rec.to_path), bound) + tuple(path[len(segs):])
                best = (rank, rec, to)
        return (best[1], best[2]) if best else None

    def lookup(self, path: Sequence[str], release: str,
               is_option: Callable[[Sequence[str]], bool] = lambda _p: False,
               ) -> DriftRecord | None:
        """The record applying to `path` at `release`, with renames followed to the final name."""
        found = self._direct(path, release, is_option)
        if found is None:
            return None
        first, target = found
        result = dataclasses.replace(
            first, from_path=show_path(path),
            to_path=show_path(target) if target is not None else None,
        )
        seen = {tuple(path)}
        chain: list[str] = []
        while target is not None and first.kind in ("renamed", "alias", "changed"):
            if target in seen or len(chain) >= _MAX_CHAIN:
                break
            seen.add(target)
            nxt = self._direct(target, release, is_option)
            if nxt is None:
                break
            rec, new_target = nxt
            chain.append(show_path(target))
            kind = "removed" if rec.kind == "removed" else (
                "changed" if "changed" in (result.kind, rec.kind) else result.kind)
            result = dataclasses.replace(
                result, kind=kind,
                to_path=show_path(new_target) if new_target is not None else None,
                message=rec.message if rec.kind == "removed" else result.message,
                # the final answer holds from the newest step on
                release=max(result.release, rec.release, key=release_key),
                release_window=rec.release_window or result.release_window,
                release_inferred=result.release_inferred or rec.release_inferred,
                path_inferred=result.path_inferred or rec.path_inferred,
                unreleased=result.unreleased or rec.unreleased,
                chain=tuple(chain),
            )
            target = new_target
            if rec.kind == "removed":
                break
        return result
