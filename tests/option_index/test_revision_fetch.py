"""`index fetch --rev / --from-lock / --release` and `check --download` against a real HTTP
server on 127.0.0.1 serving tarballs the tests generate (nixpkgs-shaped trees). Nothing here
reaches the internet."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from option_index.errors import DownloadError, HashMismatch, InvalidArchive
from option_index.sources.archive import download_file, unpack_tarball
from option_index.sources.download import DownloadSettings
from option_index.sources.nix_store import nar_hash
from option_index.sources.revision import fetch_revision, for_rev
from option_index.sources.store_index import open_cached_source_index, source_indexes
from tests.conftest import run_cli
from tests.option_index.store_trees import NIXPKGS, flake_lock, lock_node, write_tree

REV = "5e4fbfb6b3de1aa2872b76d49fafc942626e2add"
FAST = DownloadSettings(timeout=0.5, retries=1, backoff=0.01)

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
        if path.startswith("/resume/") and self.headers.get("Range"):
            start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if path.startswith(("/cut/", "/resume/")):  # promise it all, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Handler.routes, Handler.hits, Handler.ranges = {}, {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, str]:
    """The tree, served as `<rev>.tar.gz`; (tree, its narHash)."""
    root = write_tree(tmp_path / "src" / "nixpkgs", TREE)
    Handler.routes[f"{REV}.tar.gz"] = tarball(root)
    return root, nar_hash(root)


def template(server: str, mode: str = "ok") -> str:
    return f"{server}/{mode}/{{owner}}/{{repo}}/{{rev}}.tar.gz"


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) \
        if cache.exists() else []


# --- the library ---------------------------------------------------------------------------------

def test_fetch_builds_the_index_of_the_revision(server, source, tmp_path: Path) -> None:
    _, sri = source
    cache = tmp_path / "cache"
    stages: list[str] = []
    result = fetch_revision(for_rev("nixos", REV, nar_hash=sri), cache,
                            template=template(server), settings=FAST, stage=stages.append)
    assert result.nar_hash == sri and result.rev == REV and result.build is not None
    assert Handler.hits == {f"/ok/NixOS/nixpkgs/{REV}.tar.gz": 1}
    assert [s.split()[0] for s in stages] == ["downloading", "unpacking", "computing",
                                              "extracting"]
    assert [(s, k) for s, k, _ in source_indexes(cache)] == [("nixos", REV)]
    assert leftovers(cache) == []  # no archive, no unpacked tree
    index = open_cached_source_index("nixos", REV, "24.11", cache_dir=cache)
    assert index is not None and index.source.startswith("options of nixpkgs 5e4fbfb6, from http")
    renamed = index.drift(("services", "webfrob", "listenPort"))
    assert renamed is not None and renamed.to_path == "services.webfrob.settings.port"
    assert index.drift(("services", "frobnicator", "colour")).to_path == \
        "services.frobnicator.color"
    # cached: a second fetch downloads nothing
    again = fetch_revision(for_rev("nixos", REV, nar_hash=sri), cache,
                           template=template(server), settings=FAST)
    assert again.build is None and sum(Handler.hits.values()) == 1


@pytest.mark.skipif(shutil.which("nix") is None, reason="nix is not installed")
def test_nar_hash_of_an_unpacked_archive_matches_nix(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree", {**TREE, "bin/run.sh": "#!/bin/sh\necho hi\n"})
    (root / "bin" / "run.sh").chmod(0o755)
    (root / "lib").symlink_to("nixos/modules")
    (root / "nixos" / "dangling").symlink_to("../../outside")
    (root / "empty").mkdir()
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(tarball(root))
    unpacked = unpack_tarball(archive, tmp_path)
    assert unpacked.rev == REV and unpacked.root.name == f"nixpkgs-{REV}"
    assert (unpacked.root / "lib").is_symlink() and (unpacked.root / "nixos/dangling").is_symlink()
    oracle = subprocess.run(["nix", "--extra-experimental-features", "nix-command", "hash",
                             "path", str(unpacked.root)], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert nar_hash(unpacked.root) == oracle == nar_hash(root)


def test_narhash_mismatch_is_an_error_and_caches_nothing(server, source, tmp_path: Path) -> None:
    _, sri = source
    wrong = "sha256-" + "A" * 43 + "="
    cache = tmp_path / "cache"
    with pytest.raises(HashMismatch) as error:
        fetch_revision(for_rev("nixos", REV, nar_hash=wrong), cache, template=template(server),
                       settings=FAST)
    assert sri in str(error.value) and wrong in str(error.value)
    assert source_indexes(cache) == [] and leftovers(cache) == []


def test_connection_cut_mid_body_is_retried_then_fails_cleanly(server, source,
                                                               tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"2 attempt\(s\): the connection closed mid-body"):
        fetch_revision(for_rev("nixos", REV), cache, template=template(server, "cut"),
                       settings=FAST)
    assert Handler.hits[f"/cut/NixOS/nixpkgs/{REV}.tar.gz"] == 2
    assert source_indexes(cache) == [] and leftovers(cache) == []


def test_a_cut_download_resumes_where_the_server_allows(server, source, tmp_path: Path) -> None:
    body = Handler.routes[f"{REV}.tar.gz"]
    path = download_file(f"{server}/resume/x/{REV}.tar.gz", tmp_path, settings=FAST)
    assert path.read_bytes() == body
    assert Handler.ranges == [f"bytes={len(body) // 2}-"]
    path.unlink()


def test_404_fails_at_once(server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="HTTP 404; check the revision"):
        fetch_revision(for_rev("nixos", REV), tmp_path / "cache", template=template(server),
                       settings=FAST)
    assert sum(Handler.hits.values()) == 1 and leftovers(tmp_path / "cache") == []


def test_timeout(server, source, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"timed out after 0\.3 s"):
        fetch_revision(for_rev("nixos", REV), tmp_path / "cache",
                       template=template(server, "slow"),
                       settings=DownloadSettings(timeout=0.3, retries=0))
    assert leftovers(tmp_path / "cache") == []


def test_an_archive_of_another_tree_is_refused(server, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "other", {"README.md": "not nixpkgs\n"})
    Handler.routes[f"{REV}.tar.gz"] = tarball(root)
    with pytest.raises(InvalidArchive, match="is not a nixpkgs tree"):
        fetch_revision(for_rev("nixos", REV), tmp_path / "cache", template=template(server),
                       settings=FAST)
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("members,message", [
    ([member("top/ok.nix"), member("top/../../evil.nix")], "outside the tree"),
    ([member("/etc/evil.nix")], "absolute path"),
    ([member("top/link", tarfile.SYMTYPE, link="/etc"), member("top/link/passwd")],
     "through a symlink"),
    ([member("top/dev", tarfile.CHRTYPE)], "device"),
    ([member("top/hard", tarfile.LNKTYPE, link="/etc/passwd")], "absolute path"),
    ([member("top/hard", tarfile.LNKTYPE, link="top/missing")], "hard link"),
])
def test_unsafe_archives_are_rejected(tmp_path: Path, members, message) -> None:
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(raw_tarball(members))
    with pytest.raises(InvalidArchive, match=message):
        unpack_tarball(archive, tmp_path)
    assert not list(tmp_path.glob(".unpack-*")) and not (tmp_path.parent / "evil.nix").exists()


def test_a_corrupt_archive_is_an_error(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InvalidArchive, match="corrupt"):
        unpack_tarball(archive, tmp_path)
    assert not list(tmp_path.glob(".unpack-*"))


# --- the commands ----------------------------------------------------------------------------

def _flake(root: Path, sri: str) -> Path:
    root.mkdir(parents=True)
    (root / "flake.nix").write_text(
        "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-24.11\";\n"
        "  outputs = { self, nixpkgs }: {\n    nixosConfigurations.web = "
        "nixpkgs.lib.nixosSystem {\n      modules = [ ./configuration.nix ];\n    };\n  };\n}\n")
    (root / "flake.lock").write_text(
        flake_lock({"nixpkgs": lock_node("NixOS", "nixpkgs", "nixos-24.11", REV, sri)}))
    (root / "configuration.nix").write_text(CONFIGURATION)
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    return {"NIX_STORE_DIR": str(tmp_path / "empty-store"),
            "NIXLS_ASSIST_CACHE_DIR": str(tmp_path / "cache"), "NIXLS_ASSIST_CHANNELS": "",
            "XDG_CACHE_HOME": str(tmp_path / "xdg")}


def _findings(root: Path, tmp_path: Path, *extra: str) -> tuple[list, str]:
    result = run_cli("check", "--format", "json", "--fail-on", "never", "--ignore", "NXA6",
                     *extra, ".", cwd=root, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return [(f["code"], f.get("option")) for f in report["findings"]], result.stderr


def test_fetch_from_lock_then_check_uses_the_revision(server, source, tmp_path: Path) -> None:
    _, sri = source
    root = _flake(tmp_path / "flake", sri)
    before, _ = _findings(root, tmp_path)
    assert ("NXA101", "services.webfrob.listenPort") not in before  # unknown to the seed table
    fetched = run_cli("index", "fetch", "--from-lock", "--source-url", template(server),
                      cwd=root, env=_env(tmp_path))
    assert fetched.returncode == 0, fetched.stderr
    assert f"nixos (input `nixpkgs`) {REV}:" in fetched.stdout and sri in fetched.stdout
    assert "downloading" in fetched.stderr and "downloaded 100%" in fetched.stderr
    after, _ = _findings(root, tmp_path)
    assert ("NXA101", "services.webfrob.listenPort") in after
    listing = run_cli("index", "list", env=_env(tmp_path))
    assert f"options of nixpkgs 5e4fbfb6, from {server}/ok/NixOS/nixpkgs/{REV}.tar.gz" in \
        listing.stdout


def test_check_download_fetches_what_is_missing(server, source, tmp_path: Path) -> None:
    _, sri = source
    root = _flake(tmp_path / "flake", sri)
    (root / ".nixls-assist.toml").write_text(f'source-url = "{template(server)}"\n')
    findings, stderr = _findings(root, tmp_path, "--download")
    assert ("NXA101", "services.webfrob.listenPort") in findings
    assert f"fetched nixos NixOS/nixpkgs {REV[:12]}" in stderr
    # the config key does the same; already cached: nothing is downloaded again
    config = f'download = true\nsource-url = "{template(server)}"\n'
    (root / ".nixls-assist.toml").write_text(config)
    findings, stderr = _findings(root, tmp_path, "--no-cache")
    assert ("NXA101", "services.webfrob.listenPort") in findings and "fetched" not in stderr
    assert sum(Handler.hits.values()) == 1


def test_from_lock_with_a_wrong_narhash_exits_1(server, source, tmp_path: Path) -> None:
    root = _flake(tmp_path / "flake", "sha256-" + "B" * 43 + "=")
    fetched = run_cli("index", "fetch", "--from-lock", "flake.lock", "--source-url",
                      template(server), "--retries", "0", cwd=root, env=_env(tmp_path))
    assert fetched.returncode == 1
    assert "flake.lock records sha256-BBBB" in fetched.stderr and source[1] in fetched.stderr
    cache = tmp_path / "cache"
    assert source_indexes(cache) == [] and leftovers(cache) == []
    # check --download reports it and goes on with the release's data
    findings, stderr = _findings(root, tmp_path, "--download", "--source-url", template(server))
    assert "cannot fetch" in stderr and ("NXA101", "services.webfrob.listenPort") not in findings


def test_fetch_rev_and_release_and_usage_errors(server, source, tmp_path: Path) -> None:
    Handler.routes["nixos-24.11.tar.gz"] = Handler.routes[f"{REV}.tar.gz"]
    env = _env(tmp_path)
    rev = run_cli("index", "fetch", "--rev", REV, "--source-url", template(server), env=env)
    assert rev.returncode == 0, rev.stderr
    release = run_cli("index", "fetch", "--release", "24.11", "--source-url", template(server),
                      env=env)
    assert release.returncode == 0, release.stderr
    assert "nixos-src-release-24.11.sqlite" in release.stdout
    missing = run_cli("index", "fetch", "--rev", "1" * 40, "--source-url", template(server),
                      "--retries", "0", env=env)
    assert missing.returncode == 1 and "HTTP 404" in missing.stderr
    bad = run_cli("index", "fetch", "--rev", "main", env=env)
    assert bad.returncode == 2 and "40-character commit hash" in bad.stderr
    bad_url = run_cli("index", "fetch", "--rev", REV, "--source-url", "ftp://x/{rev}", env=env)
    assert bad_url.returncode == 2 and "source URL" in bad_url.stderr
    both = run_cli("index", "fetch", "24.11", "--rev", REV, env=env)
    assert both.returncode == 2
    assert leftovers(tmp_path / "cache") == []
