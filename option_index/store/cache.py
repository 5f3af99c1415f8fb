"""Where indexes live on disk: one file per (system, release) in the user cache directory."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

SYSTEMS: tuple[str, ...] = ("nixos", "home-manager")
ENV_CACHE_DIR = "NIXLS_ASSIST_CACHE_DIR"
_FILE = re.compile(r"(nixos|home-manager)-(\d{2}\.\d{2}|unstable)\.sqlite")


def default_cache_dir() -> Path:
    """$NIXLS_ASSIST_CACHE_DIR, else the platform's user cache dir (~/.cache/nixls-assist/...)."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    return platformdirs.user_cache_path("nixls-assist") / "option-index"


def check_system(system: str) -> str:
    if system not in SYSTEMS:
        raise ValueError(f"unknown module system {system!r}; expected one of {', '.join(SYSTEMS)}")
    return system


def store_path(cache_dir: Path, system: str, release: str) -> Path:
    return cache_dir / f"{check_system(system)}-{release}.sqlite"


@dataclass(frozen=True)
class CachedFile:
    system: str
    release: str
    path: Path


def cached_files(cache_dir: Path) -> list[CachedFile]:
    """The (system, release) index files present in `cache_dir` (not the unpacked embedded ones)."""
    if not cache_dir.is_dir():
        return []
    out = []
    for path in sorted(cache_dir.iterdir()):
        if m := _FILE.fullmatch(path.name):
            out.append(CachedFile(m.group(1), m.group(2), path))
    return out
