"""Option index benchmark: import, open, lookups/s, RSS. Run: python benchmarks/index.py

Floors (DESIGN / issue 5): open <= 20 ms, >= 100k lookups/s (exact and placeholder), import of a
5,000-option options.json <= 2 s. Uses the largest real options.json in ../shared/data when
present (home-manager master: 5,557 options; NixOS scrape: 20,362), else a synthetic one.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from option_index.build import build_from_options_file  # noqa: E402
from option_index.index import open_index  # noqa: E402
from option_index.paths import split_path  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def _inputs(tmp: Path) -> list[Path]:
    files = [SHARED / "home-manager" / "options-master.json",
             SHARED / "nixos-options" / "unstable-2024-12-19.json.gz"]
    found = [f for f in files if f.exists()]
    if found:
        return found
    synthetic = tmp / "synthetic-5000.json"
    synthetic.write_text(json.dumps({
        f"services.s{i // 10}.opt{i % 10}": {"type": "boolean", "description": "x" * 200}
        for i in range(5000)}))
    return [synthetic]


def _rate(index, paths: list[tuple[str, ...]], seconds: float = 1.0) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for p in paths:
            index.lookup(p)
        n += len(paths)
    return n / (time.perf_counter() - start)


def _fresh_process_open(cache: Path, system: str, release: str) -> float:
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; from option_index.index import open_index;"
        "t = time.perf_counter();"
        "ix = open_index(sys.argv[3], sys.argv[4], cache_dir=Path(sys.argv[2]));"
        "ix.lookup(('programs', 'git', 'enable')); print(time.perf_counter() - t)"
    )
    best = min(float(subprocess.check_output(
        [sys.executable, "-c", code, str(REPO), str(cache), system, release], text=True))
        for _ in range(5))
    return best * 1000


def main() -> int:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        cache = tmp / "cache"
        for source in _inputs(tmp):
            t = time.perf_counter()
            system = "nixos" if "nixos" in str(source) else "home-manager"
            result = build_from_options_file(source, system, "unstable", cache)
            print(f"import {source.name}: {result.option_count} options in "
                  f"{time.perf_counter() - t:.2f} s -> {result.path.stat().st_size >> 10} KiB")

        open_index("home-manager", "24.11", cache_dir=cache)  # unpack the embedded data once
        print(f"open (fresh process, cached store + first lookup): "
              f"{_fresh_process_open(cache, 'home-manager', 'unstable'):.1f} ms")
        print(f"open (fresh process, embedded HM 24.11 + first lookup): "
              f"{_fresh_process_open(cache, 'home-manager', '24.11'):.1f} ms")
        t = time.perf_counter()
        for _ in range(100):
            open_index("nixos", "24.11", cache_dir=cache)
        print(f"open (in process, repeated): {(time.perf_counter() - t) * 10:.2f} ms")

        ix = open_index("home-manager", "24.11", cache_dir=cache)
        exact = [split_path(p) for p in (
            "programs.git.enable", "programs.zsh.autosuggestion.enable", "home.stateVersion",
            "services.gpg-agent.enable", "programs.firefox.enable", "xdg.enable",
            "programs.neovim.plugins", "home.packages")]
        placeholder = [split_path(p) for p in (
            'home.file.".config/foo".text', "accounts.email.accounts.work.address",
            "programs.git.includes.*.path", "xdg.configFile.nvim.source",
            "programs.firefox.profiles.default.settings", "systemd.user.services.foo.Unit")]
        misses = [split_path(p) for p in ("programs.gti.enable", "programs.git.nope")]
        print(f"lookups/s exact (warm): {_rate(ix, exact):,.0f}")
        print(f"lookups/s placeholder (warm): {_rate(ix, placeholder):,.0f}")
        print(f"lookups/s unknown (warm): {_rate(ix, misses):,.0f}")

        every = [split_path(p) for p in json.loads(
            (SHARED / "home-manager" / "options-24.11.json").read_text()
        )] if (SHARED / "home-manager").exists() else exact
        cold = open_index("home-manager", "24.11", cache_dir=tmp / "cold")
        t = time.perf_counter()
        for p in every:
            cold.lookup(p)
        first = time.perf_counter() - t
        print(f"lookups/s every 24.11 option, cold cache: {len(every) / first:,.0f} "
              f"({len(every)} paths)")
        print(f"lookups/s every 24.11 option, warm: {_rate(cold, every):,.0f}")
        t = time.perf_counter()
        for p in exact + misses:
            ix.drift(p)
        print(f"drift() calls/s: {len(exact + misses) / (time.perf_counter() - t):,.0f}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"max RSS of this process: {rss:.0f} MiB (includes the imports above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
