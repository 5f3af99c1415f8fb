"""`index fetch --rev / --from-lock / --release` and `check --download` against a real HTTP
server on 127.0.0.1 serving tarballs the tests generate (nixpkgs-shaped trees). Nothing here
reaches the internet."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from option_index.errors import DownloadError, HashMismatch, InvalidArchive
from option_index.sources.archive import download_file, unpack_tarball
from option_index.sources.download import DownloadSettings
from option_index.sources.nix_store import nar_hash
from option_index.sources.revision import fetch_revision, for_rev
from option_index.sources.store_index import open_cached_source_index, source_indexes
from tests.conftest import run_cli
from tests.option_index.source_archives import (
    CONFIGURATION,
    REV,
    TREE,
    Handler,
    archive_server,
    make_flake,
    member,
    raw_tarball,
    tarball,
    template,
)
from tests.option_index.store_trees import flake_lock, write_tree

FAST = DownloadSettings(timeout=0.5, retries=1, backoff=0.01)


@pytest.fixture
def server() -> Iterator[str]:
    with archive_server() as url:
        yield url


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, str]:
    """The tree, served as `<rev>.tar.gz`; (tree, its narHash)."""
    root = write_tree(tmp_path / "src" / "nixpkgs", TREE)
    Handler.routes[f"{REV}.tar.gz"] = tarball(root)
    return root, nar_hash(root)


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
    # the tree is gone: declarations and shim sources are relative to it, like options.json
    [declared] = index.get("services.webfrob.settings.port").declarations
    assert declared.startswith("nixos/modules/services/web/webfrob.nix")
    assert renamed.source.startswith("nixos/modules/services/web/webfrob.nix:")
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
    assert Handler.ranges == []  # no validator (ETag): no splicing, the retry starts over
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
    root = make_flake(tmp_path / "flake", sri)
    before, _ = _findings(root, tmp_path)
    assert ("NXA101", "services.webfrob.listenPort") not in before  # unknown to the seed table
    fetched = run_cli("index", "fetch", "--from-lock", "--source-url", template(server),
                      cwd=root, env=_env(tmp_path))
    assert fetched.returncode == 0, fetched.stderr
    assert f"nixos (input `nixpkgs`) {REV}:" in fetched.stdout and sri in fetched.stdout
    assert "downloading" in fetched.stderr and "downloaded 100%" in fetched.stderr
    after, _ = _findings(root, tmp_path)
    assert ("NXA101", "services.webfrob.listenPort") in after
    verbose = run_cli("check", "-v", "--fail-on", "never", ".", cwd=root, env=_env(tmp_path))
    assert "(options of nixpkgs 5e4fbfb6, downloaded)" in verbose.stdout
    listing = run_cli("index", "list", env=_env(tmp_path))
    assert f"options of nixpkgs 5e4fbfb6, from {server}/ok/NixOS/nixpkgs/{REV}.tar.gz" in \
        listing.stdout


def test_check_download_fetches_what_is_missing(server, source, tmp_path: Path) -> None:
    _, sri = source
    root = make_flake(tmp_path / "flake", sri)
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
    root = make_flake(tmp_path / "flake", "sha256-" + "B" * 43 + "=")
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


# --- the editor: downloads in the background, only when the setting is on ------------------------

def test_provider_downloads_in_the_background_only_when_asked(server, source,
                                                              tmp_path: Path) -> None:
    from nixls_assist.analysis.indexes import IndexProvider
    from nixls_assist.analysis.source_fetch import pin_fetcher
    from nixls_assist.context.release import ReleasePin

    _, sri = source
    cache = tmp_path / "cache"
    pin = ReleasePin("24.11", None, "test", rev=REV, nar_hash=sri, origin="github:NixOS/nixpkgs")
    ready: list[str] = []
    provider = IndexProvider(cache, store_builds="background", on_store_index=ready.append)
    assert "from http" not in provider.get("nixos", pin).source
    provider.wait_for_builds(60)
    assert Handler.hits == {} and ready == []  # off by default: no request at all
    provider.set_fetcher(pin_fetcher(template(server), cache))
    # a configuration without a home-manager input: its nixpkgs pin is no home-manager tree
    assert provider.get("home-manager", pin) is not None
    first = provider.get("nixos", pin)
    assert "from http" not in first.source  # the release index answers meanwhile
    provider.wait_for_builds(60)
    assert ready == ["nixos 5e4fbfb6, downloaded"] and sum(Handler.hits.values()) == 1
    index = provider.get("nixos", pin)
    assert index.drift(("services", "webfrob", "listenPort")).to_path == \
        "services.webfrob.settings.port"
    provider.close()


def test_editor_settings_for_downloads() -> None:
    from nixls_assist.server.settings import Settings, parse_settings

    assert Settings().download_sources is False
    settings, problem = parse_settings({"downloadSources": True,
                                        "sourceUrl": "https://mirror.example/{rev}.tar.gz"})
    assert problem is None and settings.download_sources
    _, problem = parse_settings({"sourceUrl": "https://mirror.example/latest.tar.gz"})
    assert problem is not None and "{rev}" in problem


def test_upgrade_uses_the_fetched_release_branch(server, source, tmp_path: Path) -> None:
    Handler.routes["nixos-24.11.tar.gz"] = Handler.routes[f"{REV}.tar.gz"]
    root = make_flake(tmp_path / "flake", source[1])
    older = "1" * 40  # pinned to 24.05 at a revision nobody fetched
    lock = json.loads((root / "flake.lock").read_text())
    lock["nodes"]["nixpkgs"]["locked"]["rev"] = older
    lock["nodes"]["nixpkgs"]["original"]["ref"] = "nixos-24.05"
    (root / "flake.lock").write_text(json.dumps(lock))
    env = _env(tmp_path)

    def changes() -> list[str]:
        report = run_cli("upgrade", "--to", "24.11", "--format", "json", ".", cwd=root, env=env)
        assert report.returncode in (0, 1), report.stderr
        return [c["option"] for c in json.loads(report.stdout)["changes"]]

    assert "services.webfrob.listenPort" not in changes()
    fetched = run_cli("index", "fetch", "--release", "24.11", "--source-url", template(server),
                      env=env)
    assert fetched.returncode == 0, fetched.stderr
    assert Handler.hits == {"/ok/NixOS/nixpkgs/nixos-24.11.tar.gz": 1}
    assert "services.webfrob.listenPort" in changes()


def test_a_channel_tarball_input_without_rev(server, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "src" / "nixexprs", {**TREE, ".git-revision": REV})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        tar.add(root, arcname="nixos-24.11.711815.5e4fbfb6b3de")
    Handler.routes["nixexprs.tar.xz"] = buf.getvalue()
    sri = nar_hash(root)
    flake = tmp_path / "flake"
    flake.mkdir()
    (flake / "flake.nix").write_text(
        "{\n  inputs.nixpkgs.url = \"https://channels.nixos.org/nixos-24.11/nixexprs.tar.xz\";\n"
        "  outputs = { self, nixpkgs }: { };\n}\n")
    (flake / "flake.lock").write_text(flake_lock({"nixpkgs": {
        "locked": {"narHash": sri, "type": "tarball", "lastModified": 1734566935,
                   "url": f"{server}/ok/nixos/24.11/nixexprs.tar.xz"},
        "original": {"type": "tarball",
                     "url": "https://channels.nixos.org/nixos-24.11/nixexprs.tar.xz"}}}))
    (flake / "configuration.nix").write_text(CONFIGURATION)
    fetched = run_cli("index", "fetch", "--from-lock", cwd=flake, env=_env(tmp_path))
    assert fetched.returncode == 0, fetched.stderr
    assert Handler.hits == {"/ok/nixos/24.11/nixexprs.tar.xz": 1}
    findings, _ = _findings(flake, tmp_path)
    assert ("NXA101", "services.webfrob.listenPort") in findings


def test_a_corrupt_download_is_an_error_and_caches_nothing(server, source,
                                                          tmp_path: Path) -> None:
    body = Handler.routes[f"{REV}.tar.gz"]
    Handler.routes[f"{REV}.tar.gz"] = body[: len(body) // 2] + bytes(len(body) - len(body) // 2)
    cache = tmp_path / "cache"
    with pytest.raises(InvalidArchive, match="corrupt"):
        fetch_revision(for_rev("nixos", REV), cache, template=template(server), settings=FAST)
    assert source_indexes(cache) == [] and leftovers(cache) == []


def test_a_home_manager_revision(server, tmp_path: Path) -> None:
    from tests.option_index.store_trees import HOME_MANAGER

    hm_rev = "9ebaa80a227eaca9c87c53ed515ade013bc2bca9"
    root = write_tree(tmp_path / "src" / "hm", HOME_MANAGER)
    Handler.routes[f"{hm_rev}.tar.gz"] = tarball(root, f"home-manager-{hm_rev}", hm_rev)
    cache = tmp_path / "cache"
    result = fetch_revision(for_rev("home-manager", hm_rev, nar_hash=nar_hash(root)), cache,
                            template=template(server), settings=FAST)
    assert Handler.hits == {f"/ok/nix-community/home-manager/{hm_rev}.tar.gz": 1}
    assert result.build is not None and result.build.release == "24.11"
    index = open_cached_source_index("home-manager", hm_rev, "24.11", cache_dir=cache)
    assert index is not None and index.lookup(("programs", "frobtool", "enable"))[0].name == "FOUND"
    with pytest.raises(InvalidArchive, match="is not a nixpkgs tree"):
        fetch_revision(for_rev("nixos", hm_rev), cache, template=template(server),
                       settings=FAST)
