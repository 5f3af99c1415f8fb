"""The option indexes on disk, as `nixls-assist index list|build|fetch|path|clear` manages
them: the command (cli/index.py) reaches option_index only through this module."""

from option_index.build import build_from, fetch
from option_index.embedded import manifest
from option_index.errors import CacheNotWritable, IndexUnavailable, OptionIndexError, StoreCorrupt
from option_index.releases import normalize_release
from option_index.sources.download import DownloadSettings
from option_index.sources.store_index import CACHE_FILE, source_indexes
from option_index.store.cache import SYSTEMS, cached_files, default_cache_dir
from option_index.store.database import Store

__all__ = [
    "CACHE_FILE", "SYSTEMS", "CacheNotWritable", "DownloadSettings", "IndexUnavailable",
    "OptionIndexError", "Store", "StoreCorrupt", "build_from", "cached_files",
    "default_cache_dir", "fetch", "manifest", "normalize_release", "source_indexes",
]
