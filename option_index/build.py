"""Build a cached index for (system, release) from an options.json (file or URL) or a module tree.

Every path ends in `write_store`, which replaces the cached file atomically: until the new index
is complete, readers keep the old one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from option_index.errors import CacheNotWritable, IndexUnavailable
from option_index.model import DriftRecord
from option_index.releases import UNSTABLE, normalize_release
from option_index.sources.importer import load_options_file, parse_options_bytes
from option_index.store.cache import check_system, store_path
from option_index.store.database import OptionRow, ReleaseOptions, StoreContent, write_store

if TYPE_CHECKING:  # httpx is only imported when something is downloaded (start-up time)
    from option_index.sources.download import DownloadSettings, Progress

# Where options.json of a release is published. Override per system with the environment
# variables below ({release} and {channel} are substituted).
DEFAULT_URLS: dict[str, str] = {
    "nixos": "https://channels.nixos.org/{channel}/options.json.br",
}
ENV_URL = {
    "nixos": "NIXLS_ASSIST_NIXOS_OPTIONS_URL",
    "home-manager": "NIXLS_ASSIST_HOME_MANAGER_OPTIONS_URL",
}


@dataclass(frozen=True)
class BuildResult:
    system: str
    release: str
    path: Path
    option_count: int
    drift_count: int
    source: str


def default_url(system: str, release: str) -> str | None:
    template = os.environ.get(ENV_URL[check_system(system)]) or DEFAULT_URLS.get(system)
    if template is None:
        return None
    channel = "nixos-unstable" if release == UNSTABLE else f"nixos-{release}"
    return template.format(release=release, channel=channel)


def _save(cache_dir: Path, system: str, release: str, source: str, rows: list[OptionRow],
          drift: list[DriftRecord], authoritative: bool) -> BuildResult:
    dest = store_path(cache_dir, system, release)
    content = StoreContent(system, source, [ReleaseOptions(release, rows, authoritative)], drift,
                           {"created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    try:
        write_store(dest, content)
    except OSError as exc:
        raise CacheNotWritable(
            f"cannot write the index to {dest.parent} ({exc.strerror or exc}); "
            "set NIXLS_ASSIST_CACHE_DIR to a writable directory"
        ) from exc
    return BuildResult(system, release, dest, len(rows), len(drift), source)


def build_from_options_file(path: Path, system: str, release: str,
                            cache_dir: Path) -> BuildResult:
    rows = load_options_file(path)
    return _save(cache_dir, system, normalize_release(release), f"options.json from {path}",
                 rows, [], authoritative=True)


def build_from_tree(root: Path, system: str, release: str, cache_dir: Path) -> BuildResult:
    """Extract a module tree (nixpkgs / home-manager checkout). Not authoritative: generated
    declarations escape a static reader, so a path it lacks is not called unknown."""
    from option_index.sources.extract import extract_tree  # tree-sitter only when needed

    release = normalize_release(release)
    result = extract_tree(root, release=release)
    return _save(cache_dir, system, release, f"static extraction of {root}", result.options,
                 result.drift, authoritative=False)


def build_from(path: Path, system: str, release: str, cache_dir: Path) -> BuildResult:
    """`index build --from PATH`: a directory is a module tree, a file an options.json."""
    if path.is_dir():
        return build_from_tree(path, system, release, cache_dir)
    return build_from_options_file(path, system, release, cache_dir)


def fetch(system: str, release: str, cache_dir: Path, *, url: str | None = None,
          settings: DownloadSettings | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Download and import the options.json of a release; the old index survives any failure."""
    release = normalize_release(release)
    url = url or default_url(system, release)
    if url is None:
        raise IndexUnavailable(
            f"no default download location for {system} options; pass --url or build one with "
            f"`nixls-assist index build --from options.json --system {system} --release {release}`"
        )
    from option_index.sources.download import download

    data = download(url, settings=settings, progress=progress)
    rows = parse_options_bytes(data, url.rsplit("/", 1)[-1])
    return _save(cache_dir, system, release, f"options.json from {url}", rows, [],
                 authoritative=True)
