"""From a file's release pin to option indexes: one cached index per (system, release).

When the pin's exact source is on this machine (`pin.source_path`: the locked input in the
Nix store, or a channel), the index built from that tree is preferred (option_index/
store_index.py). `store_builds` says how a missing one is built: "sync" (the CLI: build it now,
once per revision), "background" (the server: use the release index meanwhile, build in a
worker thread, then call `on_store_index` so diagnostics can be refreshed) or "off".
$NIXLS_ASSIST_STORE_INDEX=off turns it off everywhere.

When the tree is not on this machine, the index `index fetch` cached for the pinned rev is
used the same way (`nixos-src-<rev>.sqlite`), and a release with a fetched branch source
(`index fetch --release 25.05`) uses that. `fetcher` (the editor's download setting) fetches a
missing revision in the background; the CLI fetches before checking (`check --download`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from nixls_assist.context.release import UNSTABLE, ReleasePin
from option_index.errors import OptionIndexError
from option_index.index import OptionIndex, open_index
from option_index.releases import next_release, release_for_date
from option_index.sources.store_index import (
    SourceTree,
    build_source_index,
    open_cached_source_index,
    open_source_index,
    pin_key,
    source_tree,
)

ENV_STORE_INDEX = "NIXLS_ASSIST_STORE_INDEX"
StoreProgress = Callable[[str, int, int], None]  # (what is indexed, files done, files total)
# Downloads a pin's source for a system; True when it did (raises OptionIndexError): see
# analysis/source_fetch.py
Fetcher = Callable[[str, ReleasePin], bool]

SYSTEMS = ("nixos", "home-manager")


class IndexProvider:
    """Opens indexes lazily and keeps them; shared by the CLI run and the server session."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        on_notice: Callable[[str], None] | None = None,
        *,
        store_builds: str = "sync",
        on_store_index: Callable[[str], None] | None = None,
        progress: StoreProgress | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self._cache_dir = cache_dir
        self._fetcher = fetcher
        self._fetching: dict[tuple[str, str], threading.Thread] = {}
        self._failed: set[tuple[str, str]] = set()
        self._on_notice = on_notice
        self._open: dict[tuple[str, str], OptionIndex] = {}
        if os.environ.get(ENV_STORE_INDEX, "").lower() in ("off", "0", "no", "false"):
            store_builds = "off"
        if store_builds not in ("sync", "background", "off"):
            raise ValueError(f"store_builds: {store_builds!r} (sync, background or off)")
        self._store_builds = store_builds
        self._on_store_index = on_store_index
        self._progress = progress
        self._sources: dict[tuple[str, str, str], OptionIndex | None] = {}
        self._building: dict[Path, threading.Thread] = {}
        self._lock = threading.Lock()
        self._cancel = threading.Event()

    def set_fetcher(self, fetcher: Fetcher | None) -> None:
        """Turn background downloads of missing pinned sources on (a fetcher) or off."""
        with self._lock:
            self._fetcher = fetcher
            self._failed.clear()
            for key in [k for k in self._sources if k[2].startswith("rev:")
                        and self._sources[k] is None]:
                del self._sources[key]  # a miss may now start a download

    def effective_release(self, system: str, pin: ReleasePin) -> str:
        """The release whose drift certainly applies: unstable at a date → the release
        branched off before that date."""
        if pin.release == UNSTABLE and pin.date is not None:
            return release_for_date(pin.date, system=system)
        return pin.release

    def get(self, system: str, pin: ReleasePin | None) -> OptionIndex | None:
        if pin is None or system not in SYSTEMS:
            return None
        release = self.effective_release(system, pin)
        if pin.source_path is not None and self._store_builds != "off":
            index = self._from_source(system, release, pin.source_path, pin.rev)
            if index is not None:
                return index
        if pin.source_path is None and self._store_builds != "off" and \
                (key := pin_key(pin.rev, pin.nar_hash)) is not None:
            index = self._from_cache(system, release, pin, key)
            if index is not None:
                return index
        return self.for_release(system, release)

    def _from_cache(self, system: str, release: str, pin: ReleasePin,
                    source_key: str) -> OptionIndex | None:
        """The index `index fetch` left for the pinned rev (None: not fetched yet; with a
        fetcher, the download starts in the background)."""
        key = (system, release, f"rev:{source_key}")
        with self._lock:
            if key in self._sources:
                return self._sources[key]
        index = open_cached_source_index(system, source_key, release, cache_dir=self._cache_dir,
                                         on_notice=self._on_notice)
        if index is None and self._fetcher is not None and pin.origin is not None \
                and self._store_builds == "background":
            self._start_fetch(system, pin)
        with self._lock:
            self._sources[key] = index
        return index

    def _start_fetch(self, system: str, pin: ReleasePin) -> None:
        key = (system, pin_key(pin.rev, pin.nar_hash) or "")
        with self._lock:
            if key in self._fetching or key in self._failed:
                return
            worker = threading.Thread(target=self._fetch, args=(system, pin), daemon=True,
                                      name=f"fetch {system} {pin.rev}")
            self._fetching[key] = worker
        worker.start()

    def _fetch(self, system: str, pin: ReleasePin) -> None:
        key = (system, pin_key(pin.rev, pin.nar_hash) or "")
        assert self._fetcher is not None
        try:
            fetched = self._fetcher(system, pin)
        except OptionIndexError as exc:
            fetched = False
            if self._on_notice:
                self._on_notice(f"cannot download the {system} source {key[1]}: {exc}")
        finally:
            with self._lock:
                self._fetching.pop(key, None)
        if not fetched:
            with self._lock:
                self._failed.add(key)  # not again this session (the setting resets it)
            return
        with self._lock:  # forget the misses: the next `get` opens the new index
            for k in [k for k in self._sources if k[2] == f"rev:{key[1]}"]:
                del self._sources[k]
        if self._on_store_index is not None:
            self._on_store_index(f"{system} {key[1][:8]}, downloaded")

    def _from_source(self, system: str, release: str, source: str,
                     rev: str | None) -> OptionIndex | None:
        """The index of the pinned tree itself (None: not that system's tree, or not built)."""
        key = (system, release, source)
        with self._lock:
            if key in self._sources:
                return self._sources[key]
        tree = source_tree(Path(source), rev=rev)
        index = None
        if tree is not None and tree.system == system:
            index = open_source_index(tree, release, cache_dir=self._cache_dir,
                                      build=self._store_builds == "sync",
                                      on_notice=self._on_notice)
            if index is None and self._store_builds == "background":
                self._start_build(tree)
        with self._lock:
            self._sources[key] = index
        return index

    def _start_build(self, tree: SourceTree) -> None:
        with self._lock:
            if tree.root in self._building:
                return
            worker = threading.Thread(target=self._build, args=(tree,), daemon=True,
                                      name=f"index {tree.label}")
            self._building[tree.root] = worker
        worker.start()

    def _build(self, tree: SourceTree) -> None:
        progress = self._progress

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(tree.label, done, total)

        try:
            build_source_index(tree, self._cache_dir, progress=report, cancel=self._cancel)
        except OptionIndexError as exc:
            if self._on_notice:
                self._on_notice(f"cannot index {tree.label} from the Nix store: {exc}")
            return
        finally:
            with self._lock:
                self._building.pop(tree.root, None)
        with self._lock:  # forget the misses: the next `get` opens the new index
            for key in [k for k in self._sources if k[2] == str(tree.root)]:
                del self._sources[key]
        if self._on_store_index is not None:
            self._on_store_index(tree.label)

    def wait_for_builds(self, timeout: float | None = None) -> None:
        """Join the background builds (tests; shutdown after `close`)."""
        with self._lock:
            workers = [*self._building.values(), *self._fetching.values()]
        for worker in workers:
            worker.join(timeout)

    def close(self) -> None:
        """Cancel background builds (the per-file results they finished stay cached)."""
        self._cancel.set()

    def newer(self, system: str, pin: ReleasePin) -> OptionIndex | None:
        """For an unstable pin, the next release's index: an option that exists there may
        already exist on the pinned unstable revision."""
        if pin.release != UNSTABLE:
            return None
        return self.for_release(system, next_release(self.effective_release(system, pin)))

    def for_release(self, system: str, release: str) -> OptionIndex:
        """The release's index: its fetched branch source (`index fetch --release`) when
        there is one, else the options.json / embedded index."""
        key = (system, release)
        if key not in self._open:
            index = None
            if self._store_builds != "off":
                index = open_cached_source_index(system, f"release-{release}", release,
                                                 cache_dir=self._cache_dir,
                                                 on_notice=self._on_notice)
            self._open[key] = index if index is not None else open_index(
                system, release, cache_dir=self._cache_dir, on_notice=self._on_notice
            )
        return self._open[key]
