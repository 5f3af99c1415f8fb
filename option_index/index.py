"""OptionIndex: what the rules ask about one (module system, release), and open_index.

Precision policy (why `has_option_set` exists):
- home-manager: the embedded option sets are the evaluated manual of each release, so for those
  releases the index is authoritative: a path it does not know is unknown (NXA104) or added
  later (NXA103).
- NixOS: the only embedded option set is a scrape of nixos-unstable on 2024-12-19 (25.05pre),
  without internal options. It is attached as a *reference* set to releases >= 24.11 for hover
  and completion, with `has_option_set = False`: lookups there never answer UNKNOWN (NOT_INDEXED
  instead), because a path missing from a neighbouring snapshot is not proof that it is missing
  from the pinned release. An options.json fetched or built for the exact release replaces it and
  is authoritative.
- Drift records (renames / removals) always come from the embedded tables, plus any found by the
  static extractor in the source an index was built from.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from option_index.drift import DriftTable
from option_index.embedded import open_embedded
from option_index.errors import StoreCorrupt
from option_index.model import DriftRecord, Lookup, Option, Typo
from option_index.paths import split_path
from option_index.releases import SOURCE_SUFFIX, normalize_release, release_key
from option_index.store.cache import check_system, default_cache_dir, store_path
from option_index.store.database import Store
from option_index.store.tree import OptionTree
from option_index.suggest import close_sibling as _close_sibling
from option_index.suggest import suggest as _suggest

Notice = Callable[[str], None]
_EXISTS = (Lookup.FOUND, Lookup.PREFIX, Lookup.UNDER_FREEFORM)
# The NixOS reference set postdates the 24.11 branch-off; older releases get no reference set.
_NIXOS_REFERENCE_FROM = "24.11"
# Typo checks (a slip of a declared sibling) may use it for pins from one year before on.
_NIXOS_TYPO_REFERENCE_FROM = "23.11"
_reported: set[str] = set()
_DRIFT_MEMO_SIZE = 50_000


class OptionIndex:
    """Options and drift of one (system, release). Lazy: nothing is loaded until asked."""

    def __init__(self, *, system: str, release: str, source: str, tree: OptionTree | None,
                 authoritative: bool, drift: DriftTable,
                 history: Sequence[tuple[str, OptionTree]] = (),
                 sources: dict[str, OptionTree] | None = None,
                 fallback: Callable[[], OptionIndex] | None = None,
                 on_notice: Notice | None = None, path: Path | None = None,
                 typo_tree: OptionTree | None = None, typo_against: str | None = None) -> None:
        self.system = system
        self.release = release
        self.source = source
        self.path = path
        self._tree = tree
        self._authoritative = authoritative and tree is not None
        # Typos are judged against the exact set, else a reference set named by `typo_against`.
        self._typo_tree = tree if self._authoritative else (typo_tree or tree)
        self._typo_against = None if self._authoritative else typo_against
        self._drift = drift
        self._history = [(r, t) for r, t in history if release_key(r) > release_key(release)]
        self._older = sorted(((r, t) for r, t in history if release_key(r) < release_key(release)),
                             key=lambda item: release_key(item[0]), reverse=True)
        #: per release, the paths the static extractor saw in its module source
        self._sources = sources or {}
        self._fallback = fallback
        self._notice = on_notice
        self._reverse: dict[str, DriftRecord] | None = None
        # Several rules ask about the same definitions; answers never change for an index.
        self._drift_memo: dict[tuple[str, ...], DriftRecord | None] = {}
        # A file's definitions are looked up again on every keystroke and across files.
        self._lookup_memo: dict[tuple[str, ...], tuple[Lookup, Option | None]] = {}

    @property
    def has_option_set(self) -> bool:
        """True when a path this index does not know may be reported as unknown."""
        return self._authoritative

    @property
    def has_reference_set(self) -> bool:
        """True when lookups can at least confirm existing options (hover, completion)."""
        return self._tree is not None

    def _degrade(self, exc: StoreCorrupt) -> None:
        """The store broke mid-session: say so once and continue on the embedded data."""
        self._drift_memo.clear()  # answers depended on the broken store's option set
        self._lookup_memo.clear()
        if self._notice:
            self._notice(f"{exc}; falling back to the embedded index")
        if self._fallback is None:
            self._tree, self._authoritative, self._typo_tree = None, False, None
            return
        other = self._fallback()
        self.source, self._tree, self._authoritative = other.source, other._tree, \
            other._authoritative
        self._typo_tree, self._typo_against = other._typo_tree, other._typo_against
        self._history, self._fallback, self.path = other._history, None, other.path
        self._sources = other._sources

    def _resolve(self, path: tuple[str, ...]):
        while True:
            if self._tree is None:
                return Lookup.NOT_INDEXED, None, None
            try:
                return self._tree.resolve(path)
            except StoreCorrupt as exc:
                self._degrade(exc)

    def lookup(self, path: Sequence[str]) -> tuple[Lookup, Option | None]:
        """Classify a path (segments; "*" = unknown name). Placeholders match any name."""
        key = tuple(path)
        known = self._lookup_memo.get(key)
        if known is not None:
            return known
        outcome, opt, _ = self._resolve(key)
        if outcome is Lookup.UNKNOWN and not self._authoritative:
            outcome = Lookup.NOT_INDEXED
        if len(self._lookup_memo) > _DRIFT_MEMO_SIZE:
            self._lookup_memo.clear()
        self._lookup_memo[key] = (outcome, opt)
        return outcome, opt

    def get(self, path: str) -> Option | None:
        outcome, opt = self.lookup(split_path(path))
        return opt if outcome is Lookup.FOUND else None

    def _is_option(self, path: Sequence[str]) -> bool:
        return self._authoritative and self.lookup(path)[0] is Lookup.FOUND

    def drift(self, path: Sequence[str]) -> DriftRecord | None:
        """The rename / removal that applies at this release, renames followed to the end."""
        key = tuple(path)
        if key not in self._drift_memo:
            if len(self._drift_memo) > _DRIFT_MEMO_SIZE:
                self._drift_memo.clear()
            self._drift_memo[key] = self._drift.lookup(key, self.release, self._is_option)
        return self._drift_memo[key]

    def drift_records(self) -> list[DriftRecord]:
        return self._drift.records()

    def renamed_from(self, path: str) -> DriftRecord | None:
        """The rename whose new name is `path` (printed form), for "not yet" checks.

        When several renames lead to the same name, the newest wins, then the most similar
        old name (`hardware.opengl.extraPackages` over `services.xserver.vaapiDrivers`).
        """
        if self._reverse is None:
            reverse: dict[str, DriftRecord] = {}
            for record in self._drift.records():
                if record.kind == "renamed" and record.to_path and not record.path_inferred:
                    current = reverse.get(record.to_path)
                    if current is None or _rename_rank(record) > _rename_rank(current):
                        reverse[record.to_path] = record
            self._reverse = reverse
        return self._reverse.get(path)

    def added_later(self, path: Sequence[str]) -> str | None:
        """First newer release whose option set has `path`, when this release's does not."""
        path = tuple(path)
        if not self._authoritative or self.lookup(path)[0] is not Lookup.UNKNOWN:
            return None
        for release, tree in self._history:
            try:
                if tree.resolve(path)[0] in (Lookup.FOUND, Lookup.PREFIX):
                    return release
            except StoreCorrupt:
                return None
        return None

    def added_later_proven(self, path: Sequence[str]) -> str | None:
        """`added_later`, when there is positive evidence that this release lacks `path`.

        A manual leaves hidden options out, so absence from this release's set alone proves
        nothing. Evidence: this release's module source was read (its set holds what the
        extractor found there) and the newer release's source declares `path`, or declares its
        module (`programs.foo`) while this release has no such module at all.
        """
        path = tuple(path)
        later = self.added_later(path)
        if later is None or self.release not in self._sources:
            return None
        source = self._sources.get(later)
        if source is None:
            return None
        try:
            if source.resolve(path)[0] in (Lookup.FOUND, Lookup.PREFIX):
                return later
            module = path[:2]
            if len(path) > 2 and source.resolve(module)[0] in (Lookup.FOUND, Lookup.PREFIX) \
                    and self.lookup(module)[0] is Lookup.UNKNOWN:
                return later
        except StoreCorrupt:
            return None
        return None

    def existed_before(self, path: Sequence[str]) -> str | None:
        """Newest older release whose option set has `path`, when this release's does not.

        Options hidden from the manual (`visible = false`, deprecated but still accepted)
        vanish from an option set without a rename record: such a path is not proof of a typo.
        """
        path = tuple(path)
        if not self._authoritative or self.lookup(path)[0] is not Lookup.UNKNOWN:
            return None
        for release, tree in self._older:
            try:
                if tree.resolve(path)[0] in _EXISTS:
                    return release
            except StoreCorrupt:
                return None
        return None

    def children(self, prefix: Sequence[str]) -> list[tuple[str, Option | None]]:
        """Next segments below `prefix` for completion (resolved through placeholders)."""
        while self._tree is not None:
            try:
                return self._tree.children(tuple(prefix))
            except StoreCorrupt as exc:
                self._degrade(exc)
        return []

    def suggest(self, path: Sequence[str], limit: int = 3) -> list[str]:
        """Did-you-mean candidates that exist in this release, closest first."""
        while self._tree is not None:
            try:
                return _suggest(self._tree, path, limit)
            except StoreCorrupt as exc:
                self._degrade(exc)
        return []

    def typo(self, path: Sequence[str]) -> Typo | None:
        """The declared sibling `path` misspells, when the evidence is strong (see suggest.py).

        Works on a reference set too: a slip of a sibling declared by the same module is a
        typo whatever the exact release, unless a newer module added that very name (rare; the
        message says which set was asked).
        """
        path = tuple(path)
        while self._typo_tree is not None:
            try:
                found = _close_sibling(self._typo_tree, path)
            except StoreCorrupt as exc:
                self._degrade(exc)
                continue
            if found is None:
                return None
            i, name, how = found
            return Typo(path[: i + 1], (*path[:i], name, *path[i + 1:]), how, self._typo_against)
        return None

    def __repr__(self) -> str:
        return f"OptionIndex({self.system!r}, {self.release!r}, source={self.source!r})"


def _rename_rank(record: DriftRecord) -> tuple[tuple[int, int], int]:
    old, new = split_path(record.from_path), split_path(record.to_path or "")
    shared = 0
    while shared < min(len(old), len(new)) and old[-1 - shared] == new[-1 - shared]:
        shared += 1
    return release_key(record.release), shared


def _once(on_notice: Notice | None) -> Notice:
    def notice(message: str) -> None:
        if message not in _reported:
            _reported.add(message)
            if on_notice:
                on_notice(message)
    return notice


_drift_tables: dict[int, DriftTable] = {}


def _drift_of(store: Store) -> DriftTable:
    """The embedded stores live for the whole process; build their drift table once."""
    table = _drift_tables.get(id(store))
    if table is None:
        table = _drift_tables[id(store)] = DriftTable(store.drift_records())
    return table


def _embedded_index(system: str, release: str, cache_dir: Path, notice: Notice) -> OptionIndex:
    try:
        store = open_embedded(system, cache_dir, notice)
    except StoreCorrupt as exc:
        notice(str(exc))
        store = None
    if store is None:
        return OptionIndex(system=system, release=release, source=f"no {system} data",
                           tree=None, authoritative=False, drift=DriftTable(()),
                           on_notice=notice)
    drift = _drift_of(store)
    history = [(r.name, OptionTree(store, r.mask)) for r in store.releases.values()
               if r.authoritative]
    sources = {r.name.removesuffix(SOURCE_SUFFIX): OptionTree(store, r.mask)
               for r in store.releases.values() if r.name.endswith(SOURCE_SUFFIX)}
    info = store.releases.get(release)
    if info is not None:
        return OptionIndex(system=system, release=release,
                           source=f"embedded {system} {release} option set",
                           tree=OptionTree(store, info.mask), authoritative=info.authoritative,
                           drift=drift, history=history, sources=sources, on_notice=notice)
    reference = [r for r in store.releases.values()
                 if not r.authoritative and not r.name.endswith(SOURCE_SUFFIX)]
    ref = reference[0] if system == "nixos" and reference else None
    against = f"the nixos-{ref.name} option set" if ref is not None else None
    if ref is not None and release_key(release) >= release_key(_NIXOS_REFERENCE_FROM):
        return OptionIndex(system=system, release=release,
                           source=f"embedded NixOS drift table (reference option set: "
                                  f"nixos-{ref.name}, not exact for {release})",
                           tree=OptionTree(store, ref.mask), authoritative=False, drift=drift,
                           on_notice=notice, typo_against=against)
    # Older releases: the reference set is too far off for hover or completion, but a slip of
    # a sibling that a long-lived module declares is still a slip (typo checks only).
    typo_tree = OptionTree(store, ref.mask) if ref is not None and \
        release_key(release) >= release_key(_NIXOS_TYPO_REFERENCE_FROM) else None
    return OptionIndex(system=system, release=release,
                       source=f"embedded {system} drift table (no option set for {release})",
                       tree=None, authoritative=False, drift=drift, history=history,
                       on_notice=notice, typo_tree=typo_tree, typo_against=against)


def _quarantine(path: Path) -> None:
    # On a read-only cache this fails; the process-wide "reported once" set keeps it quiet.
    with contextlib.suppress(OSError):
        path.replace(path.with_name(path.name + ".corrupt"))


def open_index(system: str, release: str, *, cache_dir: Path | None = None,
               on_notice: Notice | None = None) -> OptionIndex:
    """The best index available for (system, release): a cached store, else the embedded default.

    Never raises on a corrupt cache: the problem is reported once through `on_notice` and the
    embedded data is used instead.
    """
    check_system(system)
    release = normalize_release(release)
    cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
    notice = _once(on_notice)

    def embedded() -> OptionIndex:
        return _embedded_index(system, release, cache_dir, notice)

    cached = store_path(cache_dir, system, release)
    if not cached.exists():
        return embedded()
    try:
        store = Store.open(cached)
        info = store.releases.get(release) or next(iter(store.releases.values()))
    except (StoreCorrupt, StopIteration) as exc:
        notice(f"ignoring cached index {cached}: {exc if str(exc) else 'no releases'}; "
               f"using the embedded data (rebuild with `nixls-assist index fetch {release}`)")
        _quarantine(cached)
        return embedded()
    base = embedded()
    drift = DriftTable(base.drift_records() + store.drift_records())
    return OptionIndex(system=system, release=release,
                       source=store.meta.get("source", str(cached)),
                       tree=OptionTree(store, info.mask), authoritative=info.authoritative,
                       drift=drift, history=base._history, sources=base._sources,
                       fallback=embedded,
                       on_notice=notice, path=cached)
