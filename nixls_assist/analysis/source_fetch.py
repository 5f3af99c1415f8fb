"""Exact data for any revision: fetch the pinned nixpkgs / home-manager source when it is not
in the local Nix store (`index fetch --rev/--from-lock/--release`, `check --download`).

The work is `option_index/sources/revision.py`; this module turns what the front-ends know (a
flake.lock, a release, a rev, the workspace's files) into revisions to fetch, and reports each
outcome. Nothing here prints: `Report` receives one line per stage and per result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nixls_assist.context.flake_lock import LockError, read_flake_lock
from nixls_assist.context.locked_sources import locked_sources
from nixls_assist.context.release import ReleasePin
from option_index.errors import OptionIndexError
from option_index.sources.download import DownloadSettings, Progress
from option_index.sources.nix_files import resolve_file
from option_index.sources.revision import (
    FetchResult,
    Revision,
    fetch_revision,
    for_release,
    for_rev,
    is_cached,
    source_url_template,
)
from option_index.store.cache import default_cache_dir

if TYPE_CHECKING:
    from nixls_assist.analysis.workspace import Workspace

Report = Callable[[str], None]


@dataclass(frozen=True)
class FetchOptions:
    cache_dir: Path | None = None
    source_url: str | None = None  # the archive URL template (flag or `source-url` config)
    settings: DownloadSettings = field(default_factory=DownloadSettings)
    progress: Progress | None = None
    report: Report | None = None
    force: bool = False

    @property
    def directory(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir()


@dataclass(frozen=True)
class Outcome:
    """One revision: fetched (or already cached), or the error that stopped it."""

    what: str  # `nixpkgs (input nixpkgs) 0123abcd…`
    result: FetchResult | None
    error: OptionIndexError | None = None

    @property
    def line(self) -> str:
        if self.error is not None:
            return f"{self.what}: {self.error}"
        result = self.result
        assert result is not None
        if result.build is None:
            return f"{self.what}: already cached -> {result.path}"
        build = result.build
        return (f"{self.what}: {build.option_count} options, {build.drift_count} drift records, "
                f"narHash {result.nar_hash} -> {result.path}")


def revision_of_pin(system: str, pin: ReleasePin) -> Revision | None:
    """The revision a lock pins, when it can be downloaded (a github input with a commit
    hash, a tarball input with a commit hash or a narHash)."""
    if pin.origin is None:
        return None
    if pin.rev is not None and len(pin.rev) != 40:
        return None
    if pin.origin.startswith("github:"):
        if pin.rev is None:
            return None
        owner, _, repo = pin.origin.removeprefix("github:").partition("/")
        return Revision(system, owner, repo, rev=pin.rev, nar_hash=pin.nar_hash)
    if pin.rev is None and pin.nar_hash is None:
        return None  # a tarball without rev or narHash: nothing to key it by
    return Revision(system, "", "", rev=pin.rev, url=pin.origin, nar_hash=pin.nar_hash)


def _run(revision: Revision, what: str, options: FetchOptions) -> Outcome:
    try:
        result = fetch_revision(revision, options.directory, template=options.source_url,
                                settings=options.settings, progress=options.progress,
                                stage=options.report, force=options.force)
    except OptionIndexError as exc:
        return Outcome(what, None, exc)
    return Outcome(what, result)


def fetch_rev(system: str, rev: str, options: FetchOptions, *, repo: str | None = None,
              nar_hash: str | None = None) -> Outcome:
    """`index fetch --rev REV`: raises ValueError for a malformed rev / repo / URL."""
    source_url_template(options.source_url)
    revision = for_rev(system, rev, repo=repo, nar_hash=nar_hash)
    return _run(revision, f"{system} {revision.label}", options)


def fetch_release_source(system: str, release: str, options: FetchOptions, *,
                         repo: str | None = None) -> Outcome:
    """`index fetch --release R`: the head of R's branch, cached as `release-R`; the release
    index (and `upgrade --to R`) then uses it."""
    source_url_template(options.source_url)
    revision = for_release(system, release, repo=repo)
    return _run(revision, f"{system} {revision.label}", options)


def fetch_lock(lock_path: Path, options: FetchOptions, *, nixpkgs_input: str = "nixpkgs",
               home_manager_input: str = "home-manager") -> list[Outcome]:
    """`index fetch --from-lock`: every nixpkgs / home-manager input the lock pins. Raises
    ValueError for an unreadable lock."""
    source_url_template(options.source_url)
    try:
        lock = read_flake_lock(lock_path)
    except LockError as exc:
        raise ValueError(str(exc)) from exc
    outcomes = []
    for source in locked_sources(lock, nixpkgs_input, home_manager_input):
        what = f"{source.system} (input `{source.input}`) {source.pin.rev or source.pin.origin}"
        revision = revision_of_pin(source.system, source.pin)
        if revision is None:
            outcomes.append(Outcome(what, None, OptionIndexError(
                "cannot be downloaded: only github inputs (and git inputs on github.com) "
                "and tarball inputs can")))
            continue
        outcomes.append(_run(revision, what, options))
    return outcomes


def fetch_missing(locks: Iterable[tuple[Path, str, str]], options: FetchOptions) -> list[Outcome]:
    """`check --download`: the pinned sources of these locks (path, nixpkgs input name,
    home-manager input name) that are neither in the Nix store nor cached yet."""
    source_url_template(options.source_url)
    outcomes = []
    seen: set[tuple[str, str]] = set()
    for lock_path, nixpkgs_input, home_manager_input in locks:
        try:
            lock = read_flake_lock(lock_path)
        except LockError:
            continue  # the check reports a broken lock itself
        for source in locked_sources(lock, nixpkgs_input, home_manager_input):
            revision = revision_of_pin(source.system, source.pin)
            if revision is None or source.pin.source_path is not None or \
                    (source.system, revision.key) in seen or \
                    is_cached(revision, options.directory):
                continue
            seen.add((source.system, revision.key))
            what = f"{source.system} {revision.label} (input `{source.input}` of {lock_path})"
            outcomes.append(_run(revision, what, options))
    return outcomes


def workspace_locks(workspace: Workspace, paths: Iterable[Path]) -> list[tuple[Path, str, str]]:
    """The flake.locks that pin `paths`, with their input names (none for a file whose
    release is set by `--release` or the configuration)."""
    from nixls_assist.context.filekind import Classification, FileKind

    unclassified = Classification(FileKind.OTHER, "not classified yet")
    found: dict[tuple[Path, str, str], None] = {}
    for path in paths:
        resolver = workspace.setup(path).resolver
        settings = resolver.settings
        if settings.release is not None:
            continue
        ctx = resolver.context_with(resolve_file(path), unclassified)
        if ctx.lock_path is not None:
            found[(ctx.lock_path, settings.nixpkgs_input, settings.home_manager_input)] = None
    return list(found)


def _plausible(system: str, revision: Revision) -> bool:
    """Whether the pin can be `system`'s tree: a configuration without a home-manager input
    checks home-manager modules against its nixpkgs pin, which is no home-manager archive."""
    name = (revision.url or revision.repo).lower()
    is_home_manager = "home-manager" in name
    return is_home_manager if system == "home-manager" else not is_home_manager


def pin_fetcher(source_url: str | None = None,
                cache_dir: Path | None = None) -> Callable[[str, ReleasePin], bool]:
    """What the editor's download setting runs in the background for a missing pinned
    source: True when it fetched one (raises OptionIndexError; False for a pin that
    cannot be downloaded)."""
    options = FetchOptions(cache_dir=cache_dir, source_url=source_url)

    def fetch(system: str, pin: ReleasePin) -> bool:
        revision = revision_of_pin(system, pin)
        if revision is None or not _plausible(system, revision):
            return False
        try:
            fetch_revision(revision, options.directory, template=source_url)
        except ValueError as exc:  # a bad source URL setting
            raise OptionIndexError(str(exc)) from exc
        return True

    return fetch
