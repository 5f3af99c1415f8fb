"""A local HTTP server on 127.0.0.1 serving generated source archives (nixpkgs-shaped trees),
for the `index fetch` / `check --download` / editor download tests. Nothing reaches the
internet."""

from __future__ import annotations

import contextlib
import io
import tarfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from tests.option_index.store_trees import NIXPKGS, flake_lock, lock_node

REV = "5e4fbfb6b3de1aa2872b76d49fafc942626e2add"

# nixpkgs as of 24.05+: renames declared inside the module, with `sinceRelease`
TREE = {
    **NIXPKGS,
    ".version": "24.11",
    "nixos/modules/module-list.nix":
        "[\n  ./rename.nix\n  ./services/misc/frobnicator.nix\n  ./services/web/webfrob.nix\n]\n",
    "nixos/modules/services/web/webfrob.nix": """{ config, lib, ... }:
let
  cfg = config.services.webfrob;
in
{
  imports = [
    (lib.mkRenamedOptionModuleWith {
      sinceRelease = 2405;
      from = [ "services" "webfrob" "listenPort" ];
      to = [ "services" "webfrob" "settings" "port" ];
    })
  ];

  options.services.webfrob = {
    enable = lib.mkEnableOption "webfrob";
    settings.port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "Port webfrob listens on.";
    };
  };

  config = lib.mkIf cfg.enable { };
}
""",
}

CONFIGURATION = """{ config, lib, pkgs, ... }:
{
  services.webfrob = {
    enable = true;
    listenPort = 8443;
  };
  system.stateVersion = "24.11";
}
"""


def tarball(root: Path, top: str = f"nixpkgs-{REV}", rev: str | None = REV) -> bytes:
    """A GitHub-style archive: one top-level directory, the commit in the pax header."""
    buf = io.BytesIO()
    headers = {"comment": rev} if rev else {}
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT,
                      pax_headers=headers) as tar:
        tar.add(root, arcname=top)
    return buf.getvalue()


def raw_tarball(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"x",
           link: str = "") -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        return info, data
    return info, None


class Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[dict[str, int]] = {}
    ranges: ClassVar[list[str]] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path
        self.hits[path] = self.hits.get(path, 0) + 1
        if self.headers.get("Range"):
            self.ranges.append(self.headers["Range"])
        name = path.rsplit("/", 1)[-1]
        body = self.routes.get(name)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        if path.startswith("/slow/"):
            time.sleep(1.0)
        if path.startswith("/resume/") and self.headers.get("Range") and \
                self.headers.get("If-Range") == '"v1"':
            start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if path.startswith("/resume/"):
            self.send_header("ETag", '"v1"')
        self.end_headers()
        if path.startswith(("/cut/", "/resume/")):  # promise it all, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@contextlib.contextmanager
def archive_server() -> Iterator[str]:
    """The server's base URL; routes and counters start empty."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Handler.routes, Handler.hits, Handler.ranges = {}, {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def template(server: str, mode: str = "ok") -> str:
    return f"{server}/{mode}/{{owner}}/{{repo}}/{{rev}}.tar.gz"


def make_flake(root: Path, sri: str) -> Path:
    """A one-host flake whose nixpkgs input is locked to REV with narHash `sri`."""
    root.mkdir(parents=True)
    (root / "flake.nix").write_text(
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n"
        "  outputs = { self, nixpkgs }: {\n    nixosConfigurations.web = "
        "nixpkgs.lib.nixosSystem {\n      modules = [ ./configuration.nix ];\n    };\n  };\n}\n")
    (root / "flake.lock").write_text(
        flake_lock({"nixpkgs": lock_node("NixOS", "nixpkgs", "nixos-24.11", REV, sri)}))
    (root / "configuration.nix").write_text(CONFIGURATION)
    return root
