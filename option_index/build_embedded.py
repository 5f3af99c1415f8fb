"""Build the embedded default indexes (option_index/data/) from ../shared/data.

Run from the repository root:  python -m option_index.build_embedded [--data ../shared/data]

Only facts are embedded: option paths, types, read-only flags, short defaults/examples and
declaration file names, and rename/removal records with their releases and certainty flags.
Descriptions (prose) are left out; they come from an options.json the user fetches or builds.

- home-manager: the option sets of 23.05 .. 26.05 and master (as "unstable"), authoritative, plus
  the drift records of renames.json keyed by the releases whose tree has each shim. The manual's
  sets lack hidden / internal options; `--extract-hm GIT_DIR` reads each release branch's module
  source with the static extractor into option_index/facts/, and the options
  found there that the manual lacks are added (marked in their description). Each release also
  gets a "<release>+source" set (not authoritative): the paths the extractor saw, the evidence
  "added in a later release" (NXA103) needs.
- NixOS: the drift table of nixos-drift.json, plus the scraped unstable 2024-12-19 option set as a
  *reference* set (not authoritative, see index.py): it answers "this option exists" for
  completion and hover, never "this option is unknown".
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import brotli

from option_index.embedded import DATA_DIR, MANIFEST
from option_index.model import DriftRecord
from option_index.paths import split_path
from option_index.releases import SOURCE_SUFFIX, UNSTABLE, release_key
from option_index.sources import hm_source
from option_index.sources.importer import parse_options
from option_index.store.database import OptionRow, ReleaseOptions, StoreContent, write_store

HM_RELEASES = ("23.05", "23.11", "24.05", "24.11", "25.05", "25.11", "26.05", "master")
NIXOS_REFERENCE = "unstable-2024-12-19"
# Option paths read from home-manager's release branches by the static extractor (facts;
# see option_index/facts/README.md). Kept in the repository: rebuilds need no git mirror.
SOURCE_EXTRACTION = Path(__file__).resolve().parent / "facts" / "home-manager-source.json.br"
_REFERENCE_RELEASE = "24.11"  # the newest release branched off before the reference set
_SHORT = 160
_MESSAGE = 300


def _short(text: str | None, limit: int = _SHORT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return None  # a truncated expression misleads more than a missing one


def _facts(row: OptionRow) -> OptionRow:
    return OptionRow(row.segments, html.unescape(row.type), row.read_only,
                     _short(row.default and html.unescape(row.default)),
                     _short(row.example), None, row.declarations)


def _hm_content(data: Path) -> StoreContent:
    hm = data / "home-manager"
    renames = json.loads((hm / "renames.json").read_text(encoding="utf-8"))
    sources = (json.loads(brotli.decompress(SOURCE_EXTRACTION.read_bytes()))
               if SOURCE_EXTRACTION.exists() else {})
    releases, seen_sets = [], []
    for rel in HM_RELEASES:
        doc = json.loads((hm / f"options-{rel}.json").read_text(encoding="utf-8"))
        rows = [_facts(r) for r in parse_options(doc, keep_prose=False)]
        shims = [split_path(r["from"]) for r in renames
                 if rel in r["releases"] and r["kind"] in ("renamed", "removed", "changed")]
        rows, seen = hm_source.merge(rel, rows, sources.get(rel), shims)
        name = UNSTABLE if rel == "master" else rel
        releases.append(ReleaseOptions(name, rows))
        if seen:
            seen_sets.append(ReleaseOptions(name + SOURCE_SUFFIX, seen,
                                            authoritative=False))
    drift = []
    for rec in renames:
        first = rec["first_release"]
        oldest = first == HM_RELEASES[0]  # the first tree read: the shim may be older
        drift.append(DriftRecord(
            kind=rec["kind"], from_path=rec["from"], to_path=rec.get("to"),
            release=UNSTABLE if first == "master" else first,
            message=(rec.get("message") or "")[:_MESSAGE],
            release_inferred=oldest, release_window=f"<={first}" if oldest else None,
            unreleased=first == "master", source=f"home-manager:{rec['file']}",
            releases=tuple(rec["releases"]),
        ))
    return StoreContent("home-manager", "embedded home-manager option sets (23.05 .. master)",
                        releases + seen_sets, drift)


SUPPLEMENT = Path(__file__).with_name("nixos_drift_supplement.json")


def _nixos_records(data: Path) -> list[dict]:
    """nixos-drift.json plus the few records nixls-assist adds (gaps found in checks)."""
    records = json.loads((data / "nixos-drift.json").read_text(encoding="utf-8"))
    known = {(r["kind"], r["from"]) for r in records}
    extra = json.loads(SUPPLEMENT.read_text(encoding="utf-8"))
    return records + [r for r in extra if (r["kind"], r["from"]) not in known]


def _deprecated(rec: dict, reference: set[str]) -> bool:
    """A `changed` record whose old option is still declared by a newer option set: it was
    deprecated (declared, warns when set), not replaced, at least up to that set's date."""
    return rec["kind"] == "changed" and rec["from"] in reference and \
        release_key(rec["release"]) <= release_key(_REFERENCE_RELEASE)


def _nixos_content(data: Path) -> StoreContent:
    releases = []
    reference: set[str] = set()
    scrape = data / "nixos-options" / f"{NIXOS_REFERENCE}.json.gz"
    if scrape.exists():
        doc = json.loads(gzip.decompress(scrape.read_bytes()))
        rows = [_facts(r) for r in parse_options(doc, keep_prose=False)]
        releases.append(ReleaseOptions(NIXOS_REFERENCE, rows, authoritative=False))
        reference = set(doc)
    drift = []
    for rec in _nixos_records(data):
        deprecated = _deprecated(rec, reference)
        note = rec.get("note") or ""
        drift.append(DriftRecord(
            kind="deprecated" if deprecated else rec["kind"], from_path=rec["from"],
            to_path=rec.get("to"), release=rec["release"], message=note[:_MESSAGE],
            release_inferred=bool(rec.get("release_inferred")),
            release_window=rec.get("release_window"),
            path_inferred=bool(rec.get("path_inferred")),
            unreleased=bool(rec.get("unreleased")), source=rec.get("source", "")[:_MESSAGE],
            reintroduced=rec.get("reintroduced"), warns_from=rec.get("warns_from"),
        ))
    return StoreContent("nixos", "embedded NixOS drift table", releases, drift)


_BUILDERS = {"home-manager": _hm_content, "nixos": _nixos_content}


def build(data: Path, out: Path = DATA_DIR, systems: Sequence[str] = tuple(_BUILDERS)) -> dict:
    """Rebuild the stores of `systems`; the manifest keeps the entries of the others."""
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) \
        if manifest_path.exists() else {}
    out.mkdir(parents=True, exist_ok=True)
    for content in (_BUILDERS[system](data) for system in systems):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "store.sqlite"
            write_store(db, content)
            raw = db.read_bytes()
        name = f"{content.system}.sqlite.br"
        (out / name).write_bytes(brotli.compress(raw, quality=11, lgwin=24))
        manifest[content.system] = {
            "file": name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "source": content.source,
            "unpacked_bytes": len(raw),
            "releases": [{"name": r.release, "authoritative": r.authoritative,
                          "option_count": len(r.options)} for r in content.releases
                         if not r.release.endswith(SOURCE_SUFFIX)],
            "drift_records": len(content.drift),
        }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                encoding="utf-8")
    return {system: manifest[system] for system in systems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--extract-hm", type=Path, metavar="GIT_DIR",
                        help="first read every release branch of this home-manager git "
                             f"repository with the static extractor into {SOURCE_EXTRACTION.name}")
    parser.add_argument("--system", choices=sorted(_BUILDERS), action="append",
                        help="rebuild only this system's store (repeatable; default: all)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data directory at {args.data}", file=sys.stderr)
        return 2
    if args.extract_hm is not None:
        found = hm_source.extract_releases(args.extract_hm, HM_RELEASES)
        SOURCE_EXTRACTION.write_bytes(
            brotli.compress((json.dumps(found, indent=0) + "\n").encode(), quality=11))
    for system, info in build(args.data, systems=args.system or tuple(_BUILDERS)).items():
        size = (DATA_DIR / info["file"]).stat().st_size
        print(f"{system}: {size / 1024:.0f} KiB compressed, "
              f"{info['unpacked_bytes'] / 1024:.0f} KiB unpacked, {info['drift_records']} drift")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
