"""Undo the compression an options.json comes in, recognised by magic bytes (or name for brotli).

Channels publish `options.json.br`; mirrors use gzip, xz or zstd. Brotli has no magic number,
so it is tried when the name says so or when nothing else matched and the data is not JSON.
"""

from __future__ import annotations

import gzip
import lzma
import zlib

import brotli

from option_index.errors import InvalidOptionsFile

try:  # optional: only needed for .zst payloads
    import zstandard
except ImportError:  # pragma: no cover - depends on the environment
    zstandard = None


def decompress(data: bytes, name: str = "") -> bytes:
    """Plain bytes of a possibly compressed payload. Raises InvalidOptionsFile when corrupt."""
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)
        if data[:6] == b"\xfd7zXZ\x00":
            return lzma.decompress(data)
        if data[:4] == b"\x28\xb5\x2f\xfd":
            if zstandard is None:
                raise InvalidOptionsFile(
                    f"{name or 'payload'} is zstd-compressed; install the `zstandard` package"
                )
            return zstandard.ZstdDecompressor().decompressobj().decompress(data)
        if name.endswith(".br") or data.lstrip()[:1] not in (b"{", b"["):
            try:
                return brotli.decompress(data)
            except brotli.error:
                if name.endswith(".br"):
                    raise
                return data
        return data
    except (OSError, EOFError, lzma.LZMAError, zlib.error, brotli.error) as exc:
        raise InvalidOptionsFile(
            f"{name or 'payload'} is corrupt or truncated ({exc}); download or build it again"
        ) from exc
    except Exception as exc:
        if zstandard is not None and isinstance(exc, zstandard.ZstdError):
            raise InvalidOptionsFile(f"{name or 'payload'} is corrupt ({exc})") from exc
        raise
