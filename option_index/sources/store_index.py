"""Indexes of the exact nixpkgs / home-manager source a configuration pins, read from the Nix store.

A locked flake input sits at a store path computed from its narHash (`nix_store.py`); a channel
is a directory under the channel profiles. When that tree is a nixpkgs (has
`nixos/modules/module-list.nix`) or a home-manager (`modules/modules.nix`), the static
extractor reads its module directory and the result is cached per source, keyed by the locked
rev (`nixos-src-<rev>.sqlite`). Nothing is downloaded and nothing is evaluated.

What the result is good for:
- options: every declaration the extractor sees (hover, completion). Static reading misses
  generated declarations, so the set is never authoritative: a path it lacks is NOT_INDEXED,
  never UNKNOWN.
- drift: every `mkRenamedOptionModule`-family shim of the modules that tree's module list
  reaches. They are exact for that revision and are added to the embedded drift table.

Building is bounded (`Limits`: files, seconds, bytes per file) and incremental: per-file results
are cached by content hash (`extract_cache.py`), and a build that hits its time limit keeps the
files it finished, so the next attempt resumes. `build_source_index` takes a progress callback
and a cancel event, so the server can run it in a worker thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from option_index.drift import DriftTable
from option_index.errors import CacheNotWritable, IndexUnavailable, StoreCorrupt
from option_index.index import Notice, OptionIndex, open_index
from option_index.model import Lookup
from option_index.releases import normalize_release
from option_index.sources.extract import (
    EXTRACTOR_VERSION,
    Extraction,
    FileExtraction,
    extract_file,
    new_parser,
)
from option_index.sources.extract_cache import ExtractCache
from option_index.sources.nix_files import nix_files
from option_index.sources.nix_store import fixed_output_path
from option_index.store.cache import check_system, default_cache_dir
from option_index.store.database import ReleaseOptions, Store, StoreContent, write_store
from option_index.store.tree import OptionTree

if TYPE_CHECKING:  # build.py pulls in the options.json importer and its codecs
    from option_index.build import BuildResult

#: system -> (file that identifies the tree, directory the modules live in, display name)
_LAYOUTS = {
    "nixos": ("nixos/modules/module-list.nix", "nixos/modules", "nixpkgs"),
    "home-manager": ("modules/modules.nix", "modules", "home-manager"),
}
_INDEX_FILE = re.compile(r"(nixos|home-manager)-src-([0-9A-Za-z._-]+)\.sqlite")
_PATH_LITERAL = re.compile(rb"(?<![\w/.])(\.\.?/[A-Za-z0-9._+/-]+)")
_KEY = re.compile(r"[0-9A-Za-z._-]{1,80}")
CACHE_FILE = "extract-cache.sqlite"

Progress = Callable[[int, int], None]  # (files done, files in total)


@dataclass(frozen=True)
class Limits:
    """Bounds of one build. A build over `max_files` or `max_seconds` fails (keeping the
    per-file results it finished); files over `max_file_bytes` are skipped. Memory: one parse
    tree at a time plus the extracted rows (about 60 MB for a nixpkgs-sized tree, see
    benchmarks/store_index.py)."""

    max_files: int = 20_000
    max_seconds: float = 900.0
    max_file_bytes: int = 2 << 20


@dataclass(frozen=True)
class SourceTree:
    """A nixpkgs or home-manager tree on disk, and what to call it."""

    root: Path
    system: str
    key: str  # the locked rev, else the store path's hash part
    rev: str | None = None
    release: str | None = None  # from the tree's .version / release.json, when readable
    origin: str = "the Nix store"  # where the tree came from: the store, or a download URL

    @property
    def name(self) -> str:
        return _LAYOUTS[self.system][2]

    @property
    def label(self) -> str:
        """`nixpkgs a0374025`."""
        return f"{self.name} {self.rev[:8] if self.rev else self.key[:12]}"

    @property
    def source(self) -> str:
        return f"options of {self.label}, from {self.origin}"

    @property
    def module_dir(self) -> Path:
        return self.root / _LAYOUTS[self.system][1]

    @property
    def module_list(self) -> Path:
        return self.root / _LAYOUTS[self.system][0]


def _tree_release(root: Path, system: str) -> str | None:
    candidates = [root / ".version"] if system == "nixos" else []
    if system == "home-manager" and (root / "release.json").is_file():
        try:
            return normalize_release(json.loads((root / "release.json").read_text())["release"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
    for f in candidates:
        try:
            return normalize_release(f.read_text().strip())
        except (OSError, ValueError):
            return None
    return None


def tree_system(root: Path) -> str | None:
    """"nixos" for a nixpkgs tree, "home-manager" for a home-manager tree, else None."""
    for system, (marker, _, _) in _LAYOUTS.items():
        if (root / marker).is_file():
            return system
    return None


def source_tree(root: Path, *, rev: str | None = None) -> SourceTree | None:
    """The tree at `root` when it is a nixpkgs or home-manager source (symlinks resolved)."""
    try:
        root = root.resolve()
        system = tree_system(root)
    except OSError:
        return None
    if system is None:
        return None
    if rev is not None and not _KEY.fullmatch(rev):
        rev = None
    key = rev or root.name.split("-", 1)[0][:32] or "local"
    if not _KEY.fullmatch(key):
        key = "local"
    return SourceTree(root, system, key, rev, _tree_release(root, system))


def locked_source(nar_hash: str, *, rev: str | None = None,
                  store: str | None = None) -> SourceTree | None:
    """The source tree of a locked flake input, when its store path exists on this machine."""
    try:
        path = Path(fixed_output_path(nar_hash, "source", store=store))
    except ValueError:
        return None
    return source_tree(path, rev=rev) if path.is_dir() else None


def pin_key(rev: str | None, nar_hash: str | None) -> str | None:
    """The cache key of a locked source: its rev, else (a tarball input without one) the
    hash part of its store path, as a tree found in the store without a rev is keyed."""
    if rev is not None and _KEY.fullmatch(rev):
        return rev
    if nar_hash is None:
        return None
    try:
        return Path(fixed_output_path(nar_hash, "source")).name.split("-", 1)[0]
    except ValueError:
        return None


def source_index_path(cache_dir: Path, system: str, key: str) -> Path:
    return cache_dir / f"{check_system(system)}-src-{key}.sqlite"


def source_indexes(cache_dir: Path) -> list[tuple[str, str, Path]]:
    """(system, key, file) of the per-source indexes in `cache_dir`."""
    if not cache_dir.is_dir():
        return []
    return [(m.group(1), m.group(2), p) for p in sorted(cache_dir.iterdir())
            if (m := _INDEX_FILE.fullmatch(p.name))]


# --- building -----------------------------------------------------------------------------------

def _reachable(tree: SourceTree, refs: dict[Path, set[Path]]) -> set[Path]:
    """Files the module list reaches through path literals (over-approximates `imports`)."""
    start = tree.module_list.resolve()
    seen: set[Path] = set()
    stack = [start, *refs.get(start, ())]
    while stack:
        path = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        stack.extend(refs.get(path, ()))
    return seen


def _refs(path: Path, data: bytes) -> set[Path]:
    out = set()
    for match in _PATH_LITERAL.finditer(data):
        target = Path(os.path.normpath(path.parent / match.group(1).decode("utf-8", "replace")))
        out.add(target / "default.nix" if not target.suffix else target)
    return out


def extract_source(tree: SourceTree, cache: ExtractCache, *, progress: Progress | None = None,
                   limits: Limits = Limits(), cancel: threading.Event | None = None) -> Extraction:
    """Extract `tree`'s module directory file by file, re-using cached per-file results."""
    started = time.monotonic()
    root = tree.root
    files = list(nix_files(tree.module_dir))
    if len(files) > limits.max_files:
        raise IndexUnavailable(f"{tree.module_dir} has {len(files)} .nix files, more than the "
                               f"limit of {limits.max_files}; not indexing it")
    parser = new_parser()
    per_file: dict[Path, FileExtraction] = {}
    refs: dict[Path, set[Path]] = {}
    out = Extraction()
    for done, path in enumerate(files, 1):
        if cancel is not None and cancel.is_set():
            cache.commit()
            raise IndexUnavailable(f"indexing {tree.label} was cancelled")
        if time.monotonic() - started > limits.max_seconds:
            cache.commit()
            raise IndexUnavailable(
                f"indexing {tree.label} took longer than {limits.max_seconds:.0f}s; the files "
                f"read so far are cached and the next build resumes from them")
        resolved = path.resolve()
        try:
            data = resolved.read_bytes()
        except OSError as exc:
            out.parse_errors.append(f"{path}: {exc}")
            continue
        if len(data) > limits.max_file_bytes:
            out.parse_errors.append(f"{path}: skipped ({len(data)} bytes)")
            continue
        refs[resolved] = _refs(resolved, data)
        rel = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else \
            str(resolved)
        digest = hashlib.sha256(data).hexdigest()
        part = cache.get(root, rel, digest)
        if part is None:
            part = extract_file(resolved, parser=parser)
            cache.put(root, rel, digest, part)
        per_file[resolved] = part
        out.files += 1
        out.parse_errors += part.parse_errors
        if progress is not None:
            progress(done, len(files))
        if done % 200 == 0:
            cache.commit()
    cache.commit()
    submodule_files: set[Path] = set().union(*(p.submodule_files for p in per_file.values()))
    reachable = _reachable(tree, refs)
    for path, part in per_file.items():
        if path in submodule_files:
            continue  # read on its own it would mount at the top level
        out.options += part.options
        if path in reachable:  # a shim in a module nobody imports changes nothing
            out.drift += part.drift
    return out


def build_source_index(tree: SourceTree, cache_dir: Path | None = None, *,
                       progress: Progress | None = None, limits: Limits = Limits(),
                       cancel: threading.Event | None = None,
                       meta: dict[str, str] | None = None, relative: bool = False) -> BuildResult:
    """Extract `tree` and write its index (atomically) to `source_index_path`.

    Safe to run in a worker thread; raises IndexUnavailable (limits, cancel) or
    CacheNotWritable. The per-file cache lives next to the indexes. `meta` adds to the
    index's metadata (a download's URL and narHash). `relative`: declarations and shim
    sources are stored relative to the tree (`nixos/modules/…`), as options.json has them:
    for a downloaded tree that is deleted afterwards.
    """
    from option_index.build import BuildResult

    cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
    try:
        cache = ExtractCache(cache_dir / CACHE_FILE)
    except OSError:
        cache = ExtractCache(None)
    try:
        result = extract_source(tree, cache, progress=progress, limits=limits, cancel=cancel)
        cache.prune()
    finally:
        cache.close()
    if relative:
        _relative_to(tree.root, result)
    release = tree.release or "unstable"
    dest = source_index_path(cache_dir, tree.system, tree.key)
    meta = {"created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "store_path": str(tree.root), "rev": tree.rev or "", "label": tree.label,
            "files": str(result.files), "parse_errors": str(len(result.parse_errors)),
            "extractor": EXTRACTOR_VERSION, **(meta or {})}
    content = StoreContent(tree.system, tree.source,
                           [ReleaseOptions(release, result.options, authoritative=False)],
                           result.drift, meta)
    try:
        write_store(dest, content)
    except OSError as exc:
        raise CacheNotWritable(
            f"cannot write the index to {dest.parent} ({exc.strerror or exc}); "
            "set NIXLS_ASSIST_CACHE_DIR to a writable directory") from exc
    return BuildResult(tree.system, release, dest, len(result.options), len(result.drift),
                       tree.source)


def _relative_to(root: Path, result: Extraction) -> None:
    prefix = str(root) + os.sep

    def rel(text: str) -> str:
        return text[len(prefix):] if text.startswith(prefix) else text

    result.options = [dataclasses.replace(o, declarations=tuple(rel(d) for d in o.declarations))
                      for o in result.options]
    result.drift = [dataclasses.replace(d, source=rel(d.source)) for d in result.drift]


def _built_by(path: Path) -> str | None:
    try:
        store = Store.open(path)
    except StoreCorrupt:
        return None
    try:
        return store.meta.get("extractor")
    finally:
        store.close()


class SourceIndex(OptionIndex):
    """The extracted options of the exact tree, over the release's own index.

    A path the tree declares exists. Any other path is judged by the release index: where that
    is an evaluated, authoritative option set (home-manager releases) a path missing from both
    is still unknown, so the static extractor's gaps never turn into false alarms and typos are
    still caught. Where it is not (NixOS), nothing is ever called unknown.
    """

    def __init__(self, base: OptionIndex, **fields) -> None:
        super().__init__(**fields)
        self._base = base

    @property
    def has_option_set(self) -> bool:
        return self._base.has_option_set

    def _declared(self, path) -> bool:
        return super().lookup(path)[0] in _DECLARED

    def lookup(self, path):
        outcome, opt = super().lookup(path)
        if outcome in _DECLARED or not self._base.has_option_set:
            return outcome, opt
        return self._base.lookup(path)

    def added_later(self, path):
        return None if self._declared(path) else self._base.added_later(path)

    def added_later_proven(self, path):
        return None if self._declared(path) else self._base.added_later_proven(path)

    def existed_before(self, path):
        return None if self._declared(path) else self._base.existed_before(path)


_DECLARED = (Lookup.FOUND, Lookup.PREFIX, Lookup.UNDER_FREEFORM)


# --- opening --------------------------------------------------------------------------------

def _exact_drift(store: Store, release: str, known: DriftTable) -> list:
    """The tree's shims, dated at the pinned release ("in or before"), minus the ones the
    embedded table already knows with their real release."""
    known_keys = {(d.kind, d.from_path, d.to_path) for d in known.records()}
    return [dataclasses.replace(d, release=release, release_inferred=True,
                                release_window=f"<={release}")
            for d in store.drift_records() if (d.kind, d.from_path, d.to_path) not in known_keys]


def open_source_index(tree: SourceTree, release: str, *, cache_dir: Path | None = None,
                      build: bool = True, on_notice: Notice | None = None,
                      limits: Limits = Limits()) -> OptionIndex | None:
    """The index of `tree` judged at `release` (None when it is not built and `build` is
    False, or the build failed: the failure goes to `on_notice`)."""
    cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
    path = source_index_path(cache_dir, tree.system, tree.key)
    if path.exists() and _built_by(path) != EXTRACTOR_VERSION and build:
        path.unlink(missing_ok=True)  # an older extractor's reading: read the tree again
    if not path.exists():
        if not build:
            return None
        try:
            build_source_index(tree, cache_dir, limits=limits)
        except (IndexUnavailable, CacheNotWritable) as exc:
            if on_notice:
                on_notice(f"cannot index {tree.label} from the Nix store: {exc}")
            return None
    return _open_built(path, tree.system, release, tree.source, cache_dir, on_notice)


def _open_built(path: Path, system: str, release: str, source: str, cache_dir: Path,
                on_notice: Notice | None) -> OptionIndex | None:
    try:
        store = Store.open(path)
        info = next(iter(store.releases.values()))
    except (StoreCorrupt, StopIteration) as exc:
        if on_notice:
            on_notice(f"ignoring {path}: {exc or 'no releases'}; it is rebuilt on next use")
        path.unlink(missing_ok=True)
        return None
    base = open_index(system, release, cache_dir=cache_dir, on_notice=on_notice)
    known = DriftTable(base.drift_records())
    drift = DriftTable(base.drift_records() + _exact_drift(store, release, known))
    return SourceIndex(base, system=system, release=release,
                       source=store.meta.get("source", source),
                       tree=OptionTree(store, info.mask), authoritative=False, drift=drift,
                       history=base._history, fallback=lambda: base, on_notice=on_notice,
                       path=path)


def cached_source_index(cache_dir: Path, system: str, key: str) -> Path | None:
    """The built index of source `key` (a rev, `release-24.11`), when one is cached and was
    read by this extractor."""
    if not _KEY.fullmatch(key):
        return None
    path = source_index_path(cache_dir, system, key)
    return path if path.is_file() and _built_by(path) == EXTRACTOR_VERSION else None


def open_cached_source_index(system: str, key: str, release: str, *,
                             cache_dir: Path | None = None,
                             on_notice: Notice | None = None) -> OptionIndex | None:
    """The index `index fetch` (or an earlier Nix store build) left for source `key`, used
    exactly as if its tree were in the Nix store; None when there is none."""
    cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
    path = cached_source_index(cache_dir, check_system(system), key)
    if path is None:
        return None
    return _open_built(path, system, release, f"options of {system} {key[:12]}", cache_dir,
                       on_notice)


def open_store_index(system: str, release: str, *, rev: str | None = None,
                     nar_hash: str | None = None, path: Path | str | None = None,
                     store_dir: str | None = None, cache_dir: Path | None = None,
                     build: bool = True, on_notice: Notice | None = None,
                     limits: Limits = Limits()) -> OptionIndex | None:
    """The index of the exact `system` source a pin locks, when it is in the Nix store.

    The source is `path` (a channel's tree) or the fixed-output path of `nar_hash` in
    `store_dir` (default $NIX_STORE_DIR or /nix/store). None when it is absent, is not a
    `system` tree, or cannot be indexed.
    """
    check_system(system)
    if path is not None:
        tree = source_tree(Path(path), rev=rev)
    elif nar_hash is not None:
        tree = locked_source(nar_hash, rev=rev, store=store_dir)
    else:
        return None
    if tree is None or tree.system != system:
        return None
    return open_source_index(tree, release, cache_dir=cache_dir, build=build,
                             on_notice=on_notice, limits=limits)
