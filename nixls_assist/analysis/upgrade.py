"""The upgrade report: what a workspace meets at the next release, before the bump.

Every file is checked twice with the option rules (NXA1xx): as it is pinned today, and with
the release set to the target (NixOS and the matching home-manager release). A finding the
target gives that today's pin does not (same code, range and option) is a change to make.
Beside the changes: the flake inputs whose release branch moves (`nixos-24.11` →
`nixos-25.05`, `release-24.11` → `release-25.05`) with the `follows` that keep them on one
nixpkgs, and the `stateVersion` definitions, which stay as they are.

`--fix` is one batch through the one fix engine (`fixes.fix_document`): every safe rename the
target reports, and in `flake.nix` the ref bumps, round by round, a result that does not
parse refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nixls_assist.analysis.fixes import FixOutcome, as_one_edit, fix_document, safe_fix
from nixls_assist.analysis.fleet import flake_root
from nixls_assist.analysis.results import FileResult
from nixls_assist.analysis.workspace import Overrides, Workspace
from nixls_assist.context.filekind import FileKind
from nixls_assist.context.flake_inputs import InputDeclaration, read_flake_inputs
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.base import Indexes
from nixls_assist.rules.option_targets import judged_bindings
from nixls_assist.rules.options import NXA100, NXA101, NXA102, NXA103, NXA104
from nixls_assist.syntax.bindings import option_bindings
from nixls_assist.syntax.document import ParsedDocument
from option_index.releases import release_key
from option_index.sources.nix_files import nix_files, relative_to_root

# The kind of change each option rule's finding is, when its drift record does not say.
_KIND_OF_RULE = {NXA101.code: "renamed", NXA102.code: "removed", NXA103.code: "new",
                 NXA104.code: "unknown"}
# The option rules, as a selection: NXA100 (release unknown) and the four above.
_OPTION_SELECTION = tuple(sorted({NXA100.code, *_KIND_OF_RULE}))
INPUT_BUMP = "input-ref"  # the code of a ref bump in the fix engine's counts
_STATE_VERSIONS = frozenset({"system.stateVersion", "home.stateVersion"})
# A release branch in a flake URL: nixos-24.11, nixos-24.11-small, nixpkgs-24.11-darwin,
# release-24.11 (home-manager), nix-darwin-24.11; never nixos-unstable.
_BRANCH = re.compile(r"(?<![\w.])(?P<prefix>nixos|nixpkgs|release|nix-darwin)-"
                     r"(?P<release>\d{2}\.(?:05|11))(?![\d])")
# Repositories whose release branches move together with NixOS: their refs are bumped by
# `--fix`. Other inputs on a release branch (nixvim, stylix…) are listed, not edited: their
# branch for the target may not exist yet.
_RELEASE_REPOS = ("nixos/nixpkgs", "nix-community/home-manager", "rycee/home-manager",
                  "lnl7/nix-darwin", "nix-darwin/nix-darwin")
_STATE_VERSION_NOTE = (
    "it records the release this machine's (or user's) state was first "
    "created with, not the release it runs; stateful services (databases, data "
    "directories, user ids) read it to keep their on-disk format, and changing it without "
    "migrating them can lose data")
Input = tuple[bytes, Path | None, str]


@dataclass(frozen=True)
class Change:
    """One finding the file gets at the target release and not at its pin today."""

    file: str  # display path
    path: Path | None
    span: Span
    range: dict[str, dict[str, int]]
    code: str
    kind: str  # renamed | alias | removed | changed | deprecated | new | unknown
    system: str | None  # nixos | home-manager
    option: str | None
    replacement: str | None
    message: str
    configurations: tuple[str, ...]
    fix: Fix | None  # the SAFE fix `--fix` applies (None: a decision for the user)


@dataclass(frozen=True)
class InputBump:
    file: str
    name: str
    url: str
    new_url: str
    range: dict[str, dict[str, int]] | None
    release_from: str
    follows: dict[str, str | None]  # the input's own inputs: follows target or None (a URL)
    note: str
    edit: Edit | None  # None: listed, not applied


@dataclass(frozen=True)
class StateVersion:
    file: str
    range: dict[str, dict[str, int]]
    option: str
    value: str | None
    note: str = _STATE_VERSION_NOTE


@dataclass
class UpgradeReport:
    release_from: str | None
    release_to: str
    changes: list[Change] = field(default_factory=list)
    inputs: list[InputBump] = field(default_factory=list)
    state_versions: list[StateVersion] = field(default_factory=list)
    configurations: list[str] = field(default_factory=list)
    complete: bool = True  # False: some configuration was not followed in full
    files: int = 0
    notices: list[str] = field(default_factory=list)
    fixed: list[tuple[FileResult, FixOutcome]] = field(default_factory=list)
    # Safe renames already reported at the pinned release: the batch applies them too, so
    # that `check --release TARGET` is clean afterwards.
    already_due: int = 0

    def counts(self) -> Counter[str]:
        return Counter(change.kind for change in self.changes)


def upgrade(inputs: Iterable[Input], target: str, *, fix: bool = False,
            indexes: object | None = None) -> UpgradeReport:
    """The upgrade report of `inputs` (bytes, path, display) at release `target`; with
    `fix`, also every file's batch of safe renames and ref bumps (not written)."""
    select = _OPTION_SELECTION
    today = Workspace(Overrides(select=select), indexes=indexes)  # type: ignore[arg-type]
    at_target = Workspace(Overrides(select=select, release=target),
                          indexes=indexes)  # type: ignore[arg-type]
    report = UpgradeReport(None, target)
    pins: Counter[str] = Counter()
    owners: dict[Path, tuple[str, ...]] = {}
    fleets: set[Path] = set()
    for data, path, display in inputs:
        report.files += 1
        if path is not None:
            _load_configurations(today, path, fleets, owners, report)
        now = today.check(data, path, display)
        # The same bytes at the same path: git's committed version is looked up once.
        then = at_target.check(data, path, display, baseline=now.context.baseline)
        report.notices += [n for n in (*now.notices, *then.notices) if n not in report.notices]
        if now.context.nixos is not None and now.context.kind is not FileKind.OTHER:
            pins[now.context.nixos.release] += 1
        resolved = path.resolve() if path is not None else None
        configurations = owners.get(resolved, ()) if resolved is not None else ()
        new = _new_findings(now.findings, then.findings)
        report.already_due += sum(f.code == NXA101.code and safe_fix(f) is not None
                                  for f in now.findings)
        report.changes += [_change(then, finding, configurations, at_target.indexes)
                           for finding in new]
        report.state_versions += _state_versions(then)
        pinned = now.context.nixos.release if now.context.nixos is not None else None
        bumps = _input_bumps(then, target, pinned) \
            if path is not None and path.name == "flake.nix" else []
        report.inputs += bumps
        if fix:
            outcome = _fix(at_target, then, bumps, target, pinned)
            if outcome is not None and (outcome.changed or outcome.refused):
                report.fixed.append((then, outcome))
    if pins:
        report.release_from = pins.most_common(1)[0][0]
    return report


def upgrade_workspace(root: Path, target: str, open_docs: Mapping[Path, bytes] | None = None,
                      *, fix: bool = True) -> UpgradeReport:
    """The upgrade report of every `*.nix` file under `root` (the editor's folder), open
    buffers over the disk; paths shown relative to `root`."""
    open_docs = {path.resolve(): data for path, data in (open_docs or {}).items()}
    inputs: list[Input] = []
    for path in sorted({p.resolve() for p in nix_files(root)}):
        data = open_docs.get(path)
        if data is None:
            try:
                data = path.read_bytes()
            except OSError:
                continue
        inputs.append((data, path, relative_to_root(path, root.resolve())))
    return upgrade(inputs, target, fix=fix)


def batch_edits(report: UpgradeReport) -> dict[Path, tuple[bytes, Edit]]:
    """The batch as one minimal edit per changed file, against the file's checked bytes."""
    edits: dict[Path, tuple[bytes, Edit]] = {}
    for result, outcome in report.fixed:
        edit = as_one_edit(outcome.original, outcome.doc.source)
        if edit is not None and result.path is not None:
            edits[result.path.resolve()] = (outcome.original, edit)
    return edits


def _load_configurations(workspace: Workspace, path: Path, fleets: set[Path],
                         owners: dict[Path, tuple[str, ...]], report: UpgradeReport) -> None:
    """The configurations using each module file, from the flake above `path` (once)."""
    root = flake_root(path)
    if root is None or root in fleets:
        return
    fleets.add(root)
    fleet = workspace.fleet(root)
    if fleet is None:
        report.complete = False
        return
    report.complete = report.complete and fleet.complete
    found: dict[Path, list[str]] = {}
    for configuration in fleet.configurations:
        report.configurations.append(configuration.attribute)
        for module in configuration.modules:
            found.setdefault(module, []).append(configuration.attribute)
    owners.update({module: tuple(names) for module, names in found.items()})


def _key(finding: Finding) -> tuple[str, int, int, str | None]:
    return finding.code, finding.span.start, finding.span.end, finding.option


def _new_findings(today: list[Finding], target: list[Finding]) -> list[Finding]:
    seen = {_key(f) for f in today}
    return [f for f in target if f.code in _KIND_OF_RULE and _key(f) not in seen]


def _change(result: FileResult, finding: Finding, configurations: tuple[str, ...],
            indexes: Indexes) -> Change:
    kind, system, replacement = _drift_of(result, finding, indexes)
    fix = safe_fix(finding)
    return Change(result.display_path, result.path, finding.span, result.lsp_range(finding.span),
                  finding.code, kind, system, finding.option, replacement,
                  _without_override(finding.message), configurations, fix)


_OVERRIDE = re.compile(r"(?: \(|; )pinned to [^)]* via --release / configuration\)")


def _without_override(message: str) -> str:
    """The rule's message without "(pinned to 25.05 via --release …)": the report is about
    the target release, and no flag was given."""
    return _OVERRIDE.sub(lambda m: ")" if m[0].startswith(";") else "", message)


def _drift_of(result: FileResult, finding: Finding,
              indexes: Indexes) -> tuple[str, str | None, str | None]:
    """The kind of change, its module system and its replacement, from the record the
    finding was made from (the target release's index)."""
    fallback = _KIND_OF_RULE[finding.code]
    if result.doc is None:
        return fallback, None, None
    for judged in judged_bindings(result.doc, result.context, indexes):
        if judged.binding.own_span != finding.span:
            continue
        record = judged.index.drift(judged.binding.path)
        if record is None:
            return fallback, judged.system, None
        kind = record.kind if finding.code != NXA102.code else _removal_kind(finding, record.kind)
        return kind, judged.system, record.to_path
    return fallback, None, None


def _removal_kind(finding: Finding, kind: str) -> str:
    # NXA102 reports a change whose old option is still declared as a deprecation.
    return "deprecated" if "is deprecated since" in finding.message else kind


def _state_versions(result: FileResult) -> list[StateVersion]:
    doc = result.doc
    if doc is None or doc.skipped:
        return []
    found = []
    for binding in option_bindings(doc, file_is_module=result.context.kind.is_module):
        if binding.dotted in _STATE_VERSIONS:
            value = None
            if binding.value is not None and binding.value.type == "string_expression":
                value = doc.source[binding.value.start_byte:binding.value.end_byte].decode(
                    "utf-8", errors="replace").strip('"')
            found.append(StateVersion(result.display_path, result.lsp_range(binding.own_span),
                                      binding.dotted, value))
    return found


# -- flake inputs ---------------------------------------------------------------------------

def _input_bumps(result: FileResult, target: str, pinned: str | None) -> list[InputBump]:
    """The inputs on a release branch older than `target`. Those on the flake's own release
    (`pinned`; unknown: the newest branch among them) move; an input held further back
    (`nixpkgs-24.05-darwin` beside `nixos-25.11`) is listed, not moved two releases."""
    doc = result.doc
    if doc is None or doc.skipped or target == "unstable":
        return []
    flake = read_flake_inputs(doc)
    if flake is None:
        return []
    branches = [(d, m) for d in flake.inputs.values()
                if d.url is not None and (m := _BRANCH.search(d.url)) is not None
                and release_key(m["release"]) < release_key(target)]
    if pinned is None:  # no lock: the newest release branch is the flake's own
        pinned = max((m["release"] for _, m in branches), key=release_key, default=None)
    # On unstable (`nixos-unstable` beside `nixos-24.05` for a few packages), every release
    # branch is a side input: listed, not moved.
    return [_bump(doc, result, d, m, target, pinned) for d, m in branches]


def _bump(doc: ParsedDocument, result: FileResult, declaration: InputDeclaration,
          match: re.Match[str], target: str, pinned: str | None) -> InputBump:
    url = declaration.url
    assert url is not None
    new_url = url[:match.start("release")] + target + url[match.end("release"):]
    repository = _repository(url)
    edit = None
    span = declaration.url_span
    literal = f'"{url}"'.encode()
    if span is not None and doc.source[span.start:span.end] == literal:
        start = span.start + 1 + len(url[:match.start("release")].encode())
        edit = Edit(Span(start, start + len(match["release"])), target)
    released = repository in _RELEASE_REPOS
    if released and match["release"] != pinned:
        where = "beside the flake's nixos-unstable" if pinned == "unstable" else \
            f"behind the flake's {pinned}"
        note = f"`{declaration.name}` is held at {match['release']}, {where}: move it on purpose"
        edit = None
    elif not released:
        note = (f"`{declaration.name}` follows a release branch of its own: check that "
                f"`{match['prefix']}-{target}` exists before bumping it")
        edit = None
    elif edit is None:
        note = "the URL is not a plain string: change the ref by hand"
    else:
        note = f"`{match[0]}` → `{match['prefix']}-{target}`"
    if released and repository != "nixos/nixpkgs" and \
            declaration.nested.get("nixpkgs", "?") in ("?", None):
        note += ("; it does not follow `nixpkgs`: add `inputs.nixpkgs.follows = \"nixpkgs\"` "
                 "so that it is built with the same nixpkgs")
    rng = result.lsp_range(span) if span is not None else None
    return InputBump(result.display_path, declaration.name, url, new_url, rng,
                     match["release"], dict(declaration.nested), note, edit)


def _repository(url: str) -> str:
    """`owner/repo` of a GitHub flake URL, lower case ('' when it is not one)."""
    found = re.search(r"(?:github:|github\.com/)(?P<owner>[^/]+)/(?P<repo>[^/?#.]+)", url,
                      re.IGNORECASE)
    return f"{found['owner']}/{found['repo']}".lower() if found else ""


# -- the batch --------------------------------------------------------------------------------

def _fix(workspace: Workspace, result: FileResult, bumps: list[InputBump],
         target: str, pinned: str | None) -> FixOutcome | None:
    """Every safe rename at the target (the new ones and any the file had already) and the
    ref bumps, applied by the one fix engine."""
    if result.doc is None:
        return None
    recheck = workspace.rechecker(result)
    is_flake = bool(bumps)

    def findings_of(doc: ParsedDocument, findings: list[Finding]) -> list[Finding]:
        chosen = [f for f in findings if f.code == NXA101.code]
        if is_flake:
            bumped = FileResult(result.display_path, result.path, doc, result.context, [])
            chosen += [_bump_finding(b) for b in _input_bumps(bumped, target, pinned)
                       if b.edit is not None]
        return chosen

    def recheck_batch(source: bytes) -> tuple[ParsedDocument, list[Finding]]:
        doc, findings = recheck(source)
        return doc, findings_of(doc, findings)

    first = findings_of(result.doc, result.findings)
    if not any(safe_fix(f) for f in first):
        return None
    return fix_document(result.doc, first, recheck_batch)


def _bump_finding(bump: InputBump) -> Finding:
    assert bump.edit is not None
    return Finding(INPUT_BUMP, Severity.INFO, bump.edit.span,
                   f"`{bump.name}` moves to `{bump.new_url}`",
                   fixes=(Fix(f"Bump `{bump.name}` to {bump.new_url}", (bump.edit,),
                              Applicability.SAFE),))

