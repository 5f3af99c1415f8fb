"""Parse + path resolution + Nix's parse-time checks, against `nix-instantiate --parse`.

    python benchmarks/parse_and_resolve.py [DIR ...]   (default: tests/corpus/valid examples)

Prints files/s and MB/s of our pipeline (tree-sitter parse, option-path resolution,
syntax / undefined-variable / duplicate-attribute checks) over every `*.nix` under the
directories, then the same files through `nix-instantiate --parse` (once per file, as an
editor or CI would call it, and all files in one process), and the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nixls_assist.syntax.bindings import module_bindings  # noqa: E402
from nixls_assist.syntax.document import parse  # noqa: E402
from nixls_assist.syntax.duplicates import duplicate_attributes  # noqa: E402
from nixls_assist.syntax.errors import syntax_problems  # noqa: E402


def parse_and_resolve(sources: list[bytes]) -> None:
    for source in sources:
        module_bindings(parse(source), file_is_module=True)


def ours(sources: list[bytes]) -> None:
    for source in sources:
        doc = parse(source)
        module_bindings(doc, file_is_module=True)
        syntax_problems(doc)
        duplicate_attributes(doc)


def nix_each(nix: str, paths: list[Path]) -> None:
    for path in paths:
        subprocess.run([nix, "--parse", str(path)], capture_output=True, check=False)


def nix_batch(nix: str, paths: list[Path]) -> None:
    subprocess.run([nix, "--parse", *map(str, paths)], capture_output=True, check=False)


def timed(function, *args, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path,
                        default=[REPO / "tests/corpus/valid", REPO / "examples"])
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs (default 5)")
    args = parser.parse_args()
    paths = sorted(p for d in args.dirs for p in d.rglob("*.nix"))
    sources = [p.read_bytes() for p in paths]
    size = sum(map(len, sources))
    if not paths:
        print("no .nix files found", file=sys.stderr)
        return 2
    mb = size / 1e6
    t_resolve = timed(parse_and_resolve, sources, repeat=args.repeat)
    t_ours = timed(ours, sources, repeat=args.repeat)
    print(f"files: {len(paths)}, {mb:.3f} MB")
    print(f"nixls-assist parse+resolve:        {len(paths) / t_resolve:9.1f} files/s "
          f"{mb / t_resolve:7.2f} MB/s")
    print(f"nixls-assist parse+resolve+checks: {len(paths) / t_ours:9.1f} files/s "
          f"{mb / t_ours:7.2f} MB/s")
    nix = shutil.which("nix-instantiate")
    if nix is None:
        print("nix-instantiate not installed: no comparison")
        return 0
    t_each = timed(nix_each, nix, paths, repeat=max(1, args.repeat // 2))
    t_batch = timed(nix_batch, nix, paths, repeat=args.repeat)
    print(f"nix-instantiate --parse per file: {len(paths) / t_each:9.1f} files/s "
          f"{mb / t_each:7.2f} MB/s  (ours is {t_each / t_ours:.1f}x as fast)")
    print(f"nix-instantiate --parse one run:  {len(paths) / t_batch:9.1f} files/s "
          f"{mb / t_batch:7.2f} MB/s  (ours is {t_batch / t_ours:.2f}x as fast)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
