"""Recall / precision of the static extractor's option names against an evaluated options.json.

Run: python benchmarks/extractor_recall.py HOME_MANAGER_TREE OPTIONS_JSON [--misses N]
e.g. a home-manager checkout at the commit a release's manual was built from (see
../shared/data/home-manager/README.md) and ../shared/data/home-manager/options-24.11.json.
Names are compared with placeholders unified (`<name>`, `<user>`, ... -> `<name>`). Recall:
documented options the extractor finds; precision: extracted names the manual documents (the
manual omits internal and invisible options, so precision is a lower bound).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from option_index.paths import show_path, split_path  # noqa: E402
from option_index.sources.extract_cache import ExtractCache  # noqa: E402
from option_index.sources.store_index import extract_source, source_tree  # noqa: E402

_PLACEHOLDER = re.compile(r"^<[^>]+>$")


def _norm(segments) -> str:
    return show_path(["<name>" if _PLACEHOLDER.match(s) else s for s in segments])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tree", type=Path)
    ap.add_argument("options", type=Path)
    ap.add_argument("--misses", type=int, default=0, help="print N missed names")
    args = ap.parse_args()
    tree = source_tree(args.tree)
    if tree is None:
        sys.exit(f"{args.tree}: not a nixpkgs or home-manager tree")
    started = time.perf_counter()
    found = extract_source(tree, ExtractCache(None))
    seconds = time.perf_counter() - started
    expected = {_norm(split_path(name)) for name in json.loads(args.options.read_text())
                if not name.startswith("_module")}
    extracted = {_norm(o.segments) for o in found.options}
    hits = expected & extracted
    print(f"{tree.label}: {found.files} files in {seconds:.1f}s, "
          f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"expected {len(expected)}, extracted {len(extracted)}, drift {len(found.drift)}")
    print(f"recall {len(hits) / len(expected):.1%}  precision {len(hits) / len(extracted):.1%}")
    missed = sorted(expected - extracted)
    heads = Counter(".".join(split_path(m)[:2]) for m in missed)
    print("most-missed modules:", ", ".join(f"{h} ({n})" for h, n in heads.most_common(12)))
    for name in missed[: args.misses]:
        print("  missed", name)


if __name__ == "__main__":
    main()
