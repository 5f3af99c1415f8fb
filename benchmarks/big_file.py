"""`check` of one big module, as a CI job would run it: CPU time and peak memory.

    python benchmarks/big_file.py [--mb 1 20]

Writes a NixOS module of about the given size (the 1,000-line module of lsp_latency.py
repeated) beside a flake.lock, and runs `nixls-assist check --no-cache --max-file-size …`
on it in a fresh process per size. Floor: a 20 MB file stays under 1 GB of memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from lsp_latency import LOCK, module  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 20.0])
    args = parser.parse_args()
    for mb in args.mb:
        workspace = Path(tempfile.mkdtemp(prefix="nixls-big-"))
        try:
            shutil.copy(LOCK, workspace / "flake.lock")
            text = module(int(mb * 30_000))
            (workspace / "configuration.nix").write_text(text)
            size = len(text.encode())
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            # A child per size: RUSAGE_CHILDREN's peak is the largest child's so far.
            done = subprocess.run(
                [sys.executable, "-c",
                 "import resource, sys, runpy;"
                 "sys.argv = ['nixls-assist'] + sys.argv[1:];"
                 "code = 0\n"
                 "try:\n runpy.run_module('nixls_assist', run_name='__main__')\n"
                 "except SystemExit as exc:\n code = exc.code\n"
                 "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
                 "check", "--no-cache", "--fail-on", "never", "--format", "json",
                 "--max-file-size", str(size + 1), "configuration.nix"],
                cwd=workspace, capture_output=True, text=True,
                env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=False)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
            findings = done.stdout.count('"code"')
            print(f"{size / 1e6:6.1f} MB  {text.count(chr(10)):>8} lines  cpu {cpu:6.2f} s  "
                  f"wall {wall:6.2f} s  peak RSS {peak_mb:7.1f} MB  ({findings} findings)"
                  + ("   floor < 1 GB: " + ("ok" if peak_mb < 1024 else "MISSED")
                     if mb >= 20 else ""), flush=True)
        finally:
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
