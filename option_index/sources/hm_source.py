"""home-manager options read from its module source, to complete the manual's option sets.

The manual (our embedded source of truth per release) leaves out options declared with
`visible = false` or `internal = true`: `programs.brave`, `programs.vivaldi`,
`programs.google-chrome` (one shared builder in `modules/programs/chromium.nix`),
`home.activationPackage`, `submoduleSupport.*`, ... They are real options; a definition of one is
not an error. This module holds the build-time side:

- `extract_releases(git_dir)`: `git archive` each release branch's `modules/` into a scratch
  folder and read it with the static extractor (`option_index.sources.extract`); returns plain facts
  (paths, type text, declaring file), written to `option_index/facts/home-manager-source.json.br`
  so that rebuilds do not need the home-manager repository.
- `merge(docs, source, drift_from)`: the rows to embed: the manual's rows, plus each extracted
  path the manual's set does not know (and that no rename/removal shim of the release covers),
  marked as coming from the source; and the "seen by the extractor" set of the release, used as
  positive evidence by "added in a later release" (NXA103).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from option_index.model import Lookup, split_declaration
from option_index.paths import is_name_placeholder, show_path, split_path
from option_index.sources.extract import EXTRACTOR_VERSION, extract_tree
from option_index.store.database import OptionRow, ReleaseOptions, StoreContent, memory_store
from option_index.store.tree import OptionTree

#: The release's description of an option found only in the module source (hover shows it).
HIDDEN_NOTE = (
    "Not in the home-manager manual (a hidden or internal option); read from the "
    "module source of the release"
)


def _branch(release: str) -> str:
    return "master" if release == "master" else f"release-{release}"


def extract_releases(git_dir: Path, releases: Sequence[str]) -> dict:
    """{release: {branch, commit, extractor, options: [[path, type, file], …]}} per release."""
    out: dict = {}
    for release in releases:
        branch = _branch(release)
        commit = subprocess.run(
            ["git", f"--git-dir={git_dir}", "rev-parse", branch],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        with tempfile.TemporaryDirectory(prefix=f"hm-{release}-") as tmp:
            archive = subprocess.run(
                ["git", f"--git-dir={git_dir}", "archive", commit, "modules"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            root = Path(tmp)
            found = extract_tree(root / "modules", release=release)
            options = []
            for row in found.options:
                files = [
                    str(Path(split_declaration(d)[0]).relative_to(root))
                    for d in row.declarations
                    if Path(d).is_relative_to(root)
                ]
                options.append([show_path(row.segments), row.type, files[0] if files else None])
        out[release] = {
            "branch": branch,
            "commit": commit,
            "extractor": EXTRACTOR_VERSION,
            "options": sorted(options, key=lambda o: o[0]),
        }
    return out


def _normal(segments: Sequence[str]) -> tuple[str, ...]:
    return tuple("<name>" if is_name_placeholder(s) else s for s in segments)


def _covered(path: tuple[str, ...], shims: Iterable[tuple[str, ...]]) -> bool:
    """At or below the `from` of a shim (placeholders in the shim match any name)."""
    for shim in shims:
        head = path[: len(shim)]
        if len(head) == len(shim) and all(
            s in (p, "*") or is_name_placeholder(s) for s, p in zip(shim, head, strict=True)
        ):
            return True
    return False


def merge(
    release: str, docs: list[OptionRow], source: dict | None, shims: Iterable[tuple[str, ...]]
) -> tuple[list[OptionRow], list[OptionRow]]:
    """(the release's complete rows, the rows of the paths the extractor saw).

    An extracted path is added only where the manual's set answers UNKNOWN or does not cover
    the namespace at all: never below a documented freeform / submodule option (that would turn
    free data into a closed set) and never at a documented attribute set of options.
    """
    if not source:
        return docs, []
    shims = [tuple(s) for s in shims]
    store = memory_store(StoreContent("home-manager", "docs", [ReleaseOptions(release, docs)]))
    tree = OptionTree(store, 1)
    by_key = {_normal(r.segments): r for r in docs}
    added: list[OptionRow] = []
    seen: list[OptionRow] = []
    known: set[tuple[str, ...]] = set()
    for text, type_text, file in source["options"]:
        segments = split_path(text)
        outcome, option, _ = tree.resolve(segments)
        if outcome is Lookup.FOUND and option is not None:
            row = by_key.get(_normal(split_path(option.path)))
            if row is not None:
                seen.append(row)
            continue
        if outcome not in (Lookup.UNKNOWN, Lookup.NOT_INDEXED) or _covered(segments, shims):
            continue
        if segments in known:
            continue
        known.add(segments)
        row = OptionRow(
            segments,
            type_text,
            description=HIDDEN_NOTE,
            declarations=(f"<home-manager/{file}>",) if file else (),
        )
        added.append(row)
        seen.append(row)
    store.close()
    return docs + added, seen
