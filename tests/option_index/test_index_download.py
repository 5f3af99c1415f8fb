"""`fetch` against a real HTTP server on 127.0.0.1; every failure keeps the previous index."""

from __future__ import annotations

import gzip
import json
import lzma
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import brotli
import pytest

from option_index.build import fetch
from option_index.errors import DownloadError, InvalidOptionsFile
from option_index.index import open_index
from option_index.model import Lookup
from option_index.sources.download import DownloadSettings

OPTIONS = {
    "services.demo.enable": {"loc": ["services", "demo", "enable"], "type": "boolean",
                             "default": {"_type": "literalExpression", "text": "false"},
                             "description": "Whether to enable demo.", "declarations": [
                                 "nixos/modules/services/demo.nix"], "readOnly": False},
    "services.demo.instances.<name>.port": {
        "loc": ["services", "demo", "instances", "<name>", "port"],
        "type": "16 bit unsigned integer; between 0 and 65535 (both inclusive)",
        "description": "Port.", "declarations": [], "readOnly": False},
}
NEWER = {**OPTIONS, "services.demo.extra": {"type": "string", "description": "x"}}
FAST = DownloadSettings(timeout=0.5, retries=1, backoff=0.01)


class Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes, dict[str, str]]]] = {}
    hits: ClassVar[dict[str, int]] = {}

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/slow.json":
            time.sleep(1)
        if self.path == "/cut.json":
            body = json.dumps(OPTIONS).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        status, body, headers = self.routes.get(self.path, (404, b"not found", {}))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Handler.routes, Handler.hits = {}, {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _serve(path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    Handler.routes[path] = (200, body, headers or {})


@pytest.mark.parametrize("name,encode", [
    ("plain.json", lambda b: b),
    ("options.json.gz", gzip.compress),
    ("options.json.xz", lzma.compress),
    ("options.json.br", brotli.compress),
])
def test_fetch_success(server, cache_dir, name, encode):
    _serve(f"/{name}", encode(json.dumps(OPTIONS).encode()))
    seen = []
    result = fetch("nixos", "24.11", cache_dir, url=f"{server}/{name}", settings=FAST,
                   progress=lambda done, total: seen.append(done))
    assert result.option_count == 2 and seen
    ix = open_index("nixos", "24.11", cache_dir=cache_dir)
    assert ix.has_option_set and ix.source.startswith("options.json from")
    assert ix.lookup(("services", "demo", "instances", "web", "port"))[0] is Lookup.FOUND
    assert ix.lookup(("services", "demo", "nope"))[0] is Lookup.UNKNOWN
    assert ix.get("services.demo.enable").description == "Whether to enable demo."
    # drift still comes from the embedded table
    assert ix.drift(("hardware", "opengl", "enable")).to_path == "hardware.graphics.enable"


def test_fetch_http_content_encoding(server, cache_dir):
    _serve("/enc.json", gzip.compress(json.dumps(OPTIONS).encode()),
           {"Content-Encoding": "gzip"})
    assert fetch("nixos", "24.11", cache_dir, url=f"{server}/enc.json",
                 settings=FAST).option_count == 2


def _previous(server: str, cache_dir: Path) -> None:
    _serve("/good.json", json.dumps(NEWER).encode())
    fetch("nixos", "24.11", cache_dir, url=f"{server}/good.json", settings=FAST)


def _still_previous(cache_dir: Path) -> None:
    ix = open_index("nixos", "24.11", cache_dir=cache_dir)
    assert ix.lookup(("services", "demo", "extra"))[0] is Lookup.FOUND
    assert not list(cache_dir.glob(".*tmp"))


def test_404_keeps_previous(server, cache_dir):
    _previous(server, cache_dir)
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch("nixos", "24.11", cache_dir, url=f"{server}/missing.json", settings=FAST)
    assert Handler.hits["/missing.json"] == 1  # a 404 is not retried
    _still_previous(cache_dir)


def test_connection_closed_mid_body(server, cache_dir):
    _previous(server, cache_dir)
    with pytest.raises(DownloadError, match="2 attempt"):
        fetch("nixos", "24.11", cache_dir, url=f"{server}/cut.json", settings=FAST)
    assert Handler.hits["/cut.json"] == 2
    _still_previous(cache_dir)


def test_slow_server_times_out(server, cache_dir):
    _previous(server, cache_dir)
    with pytest.raises(DownloadError, match="timed out"):
        fetch("nixos", "24.11", cache_dir, url=f"{server}/slow.json",
              settings=DownloadSettings(timeout=0.3, retries=0))
    _still_previous(cache_dir)


@pytest.mark.parametrize("body", [
    b"\x1f\x8b\x08\x00garbage",  # gzip header, corrupt stream
    b'{"services.demo.enable": {"type": "bool',  # truncated JSON
    b"<html>oops</html>",
    b'{"just": "data"}',  # JSON, but no options
])
def test_corrupt_payload(server, cache_dir, body):
    _previous(server, cache_dir)
    _serve("/bad.json", body)
    with pytest.raises(InvalidOptionsFile):
        fetch("nixos", "24.11", cache_dir, url=f"{server}/bad.json", settings=FAST)
    _still_previous(cache_dir)


def test_unreachable_server(cache_dir):
    with pytest.raises(DownloadError):
        fetch("nixos", "24.11", cache_dir, url="http://127.0.0.1:9/options.json",
              settings=DownloadSettings(timeout=0.3, retries=0))
