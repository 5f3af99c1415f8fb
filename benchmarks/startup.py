"""Start-up: `--version`, and `check` of a 17-file flake cold, warm and replayed.

    python benchmarks/startup.py [--runs 5]

CPU time (user + system of the child process), minimum of --runs, as in corpus_vs_nix.py:
byte code cached, the embedded option index unpacked beforehand. The flake is
examples/fleet plus 11 small module files. Rows:

- `--version`; `python -c pass` (the interpreter alone) beside it;
- `check`, cold: an empty result cache;
- `check`, result cache warm: every file answered by the result cache (the run cache's
  record removed before each run), the path of a run after an unrelated change;
- `check`, replayed: nothing changed since the last run (the run cache).

Floors (issue #24): `--version` ≤ 60 ms; a cold check of the 17-file flake ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULE = """{{ config, lib, pkgs, ... }}:
{{
  services.nginx.virtualHosts."site{i}.example.org" = {{
    forceSSL = true;
    locations."/".proxyPass = "http://127.0.0.1:{port}";
  }};
  systemd.services.worker{i}.wantedBy = [ "multi-user.target" ];
}}
"""


def cpu(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nixls-startup-"))
    try:
        flake = work / "flake"
        shutil.copytree(REPO / "examples" / "fleet", flake)
        for i in range(11):
            (flake / "modules" / f"extra{i}.nix").write_text(MODULE.format(i=i, port=8000 + i))
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        primed = work / "primed"
        subprocess.run([sys.executable, "-m", "nixls_assist", "check", "."], cwd=flake,
                       env={**env, "NIXLS_ASSIST_CACHE_DIR": str(primed)},
                       capture_output=True, check=False)
        shutil.rmtree(primed / "check")
        count = sum(1 for _ in flake.rglob("*.nix"))
        check = [sys.executable, "-m", "nixls_assist", "check", "--fail-on", "never", "."]
        rows: dict[str, list[float]] = {}
        for _ in range(args.runs):
            rows.setdefault("python -c pass", []).append(
                cpu([sys.executable, "-c", "pass"], flake, env))
            rows.setdefault("nixls-assist --version", []).append(
                cpu([sys.executable, "-m", "nixls_assist", "--version"], flake, env))
            cache = work / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(primed, cache)
            run_env = {**env, "NIXLS_ASSIST_CACHE_DIR": str(cache)}
            rows.setdefault(f"check, {count} files, cold", []).append(cpu(check, flake, run_env))
            cpu(check, flake, run_env)  # records again (the cold run's record predates it)
            rows.setdefault(f"check, {count} files, replayed", []).append(
                cpu(check, flake, run_env))
            shutil.rmtree(cache / "check" / "runs", ignore_errors=True)
            rows.setdefault(f"check, {count} files, result cache warm", []).append(
                cpu(check, flake, run_env))
        for name, values in rows.items():
            print(f"{name:<40} {min(values) * 1000:6.0f} ms CPU (min of {len(values)})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
