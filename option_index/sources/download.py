"""Download an options.json over HTTP(S) with httpx: streamed, bounded, retried.

Nothing is written here: the caller parses the bytes and only then replaces the cached index, so a
download that fails at any point (HTTP error, timeout, connection cut mid-body, corrupt payload)
leaves the previous index as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from option_index.errors import DownloadError

T = TypeVar("T")
Progress = Callable[[int, int | None], None]  # (bytes received, total bytes if known)

_MAX_BYTES = 512 * 1024 * 1024
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class DownloadSettings:
    timeout: float = 30.0  # seconds without progress (connect / read)
    retries: int = 2  # extra attempts after transient failures
    backoff: float = 0.5  # seconds, doubled per attempt


class Retryable(Exception):
    pass


def retried(url: str, settings: DownloadSettings, attempt: Callable[[], T],
            consequence: str) -> T:
    """`attempt()`, tried again after a transient failure (HTTP 5xx / 429, a timeout, a cut
    connection); DownloadError naming the last failure and `consequence` when all failed."""
    last = "unknown error"
    for number in range(settings.retries + 1):
        if number:
            time.sleep(settings.backoff * 2 ** (number - 1))
        try:
            return attempt()
        except Retryable as exc:
            last = str(exc)
        except httpx.TimeoutException:
            last = f"timed out after {settings.timeout:g} s without data"
        except httpx.RemoteProtocolError as exc:
            last = f"the connection closed mid-body ({exc})"
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except httpx.InvalidURL as exc:
            raise DownloadError(f"invalid URL {url!r}: {exc}") from exc
    raise DownloadError(f"download of {url} failed after {settings.retries + 1} attempt(s): "
                        f"{last}; {consequence}")


def _attempt(client: httpx.Client, url: str, progress: Progress | None) -> bytes:
    with client.stream("GET", url) as response:
        if response.status_code in RETRY_STATUS:
            raise Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            hint = "; is the release right? pass --url to use another source" \
                if response.status_code == 404 else ""
            raise DownloadError(f"download of {url} failed: HTTP {response.status_code}{hint}")
        total = response.headers.get("content-length")
        expected = int(total) if total and total.isdigit() and \
            "content-encoding" not in response.headers else None
        buf = bytearray()
        for chunk in response.iter_bytes():
            buf += chunk
            if len(buf) > _MAX_BYTES:
                raise DownloadError(f"download of {url} is larger than {_MAX_BYTES} bytes")
            if progress:
                progress(len(buf), expected)
        if expected is not None and len(buf) < expected:
            raise Retryable(f"connection closed after {len(buf)} of {expected} bytes")
        return bytes(buf)


def download(url: str, *, settings: DownloadSettings | None = None,
             progress: Progress | None = None,
             transport: httpx.BaseTransport | None = None) -> bytes:
    """The body of `url`. Raises DownloadError with a user-facing sentence on failure."""
    settings = settings or DownloadSettings()
    with httpx.Client(timeout=httpx.Timeout(settings.timeout), follow_redirects=True,
                      transport=transport,
                      headers={"User-Agent": "nixls-assist option index"}) as client:
        return retried(url, settings, lambda: _attempt(client, url, progress),
                       "the previous index (if any) is still in use")
