"""NXA5xx: flake inputs — duplicated nested inputs (`follows`) and a stale or broken flake.lock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nixls_assist.context import FileContext, FileKind
from nixls_assist.context.flake_inputs import FlakeInputs, InputDeclaration, read_flake_inputs
from nixls_assist.context.flake_lock import FlakeLock, LockedNode
from nixls_assist.context.flake_sources import Source, source_of_lock_entry, source_of_url
from nixls_assist.context.release import describe_source
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule, Tag
from nixls_assist.syntax.document import ParsedDocument

NXA501 = Rule(
    code="NXA501",
    name="duplicated-flake-input",
    severity=Severity.WARNING,
    summary="a flake input brings its own copy of an input the root flake already has",
    fix=FixAvailability.SOMETIMES,
)

NXA502 = Rule(
    code="NXA502",
    name="stale-flake-lock",
    severity=Severity.INFO,
    summary="flake.lock is out of date with flake.nix or has unreachable nodes (info); "
            "or cannot be used at all (warning)",
    fix=FixAvailability.NONE,
    tags=frozenset({Tag.UNNECESSARY}),
)


@dataclass(frozen=True)
class _Match:
    root: str
    root_node: LockedNode
    severity: Severity  # WARNING: same branch or revision; INFO: same release series
    evaluated_set: bool  # nixpkgs, home-manager or nix-darwin, not a small utility flake


@NXA501.check
def duplicated_flake_input(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """A flake input brings its own copy of an input the root flake already has.

    ## What it does
    Reads `flake.nix` and the whole `flake.lock` graph and reports each input whose own
    nested input (its `nixpkgs`, `systems`, `flake-utils`, `home-manager`, …) comes from
    the same source as one of your root inputs but is locked separately. Sources are
    compared, not names: `github:NixOS/nixpkgs`, `git+https://github.com/NixOS/nixpkgs`,
    channel and tarball URLs and FlakeHub's `NixOS/nixpkgs` are one source, and renamed
    repositories (`rycee/home-manager`) match their new name.

    Same branch or same revision of a package set or module system a configuration
    evaluates (nixpkgs, home-manager, nix-darwin): a warning. Same release series on another
    branch (`nixpkgs-unstable` beside `nixos-unstable`), or a duplicate of a small utility
    flake (`flake-utils`, `flake-compat`, `systems`, `treefmt-nix`, `devshell`, …), whose
    only cost is a bigger lock: an info. A different series, a pinned `rev`, or a nested
    input that already `follows` something is deliberate: nothing.

    ## Why is this bad?
    At another revision, every extra nixpkgs is another ~40 MB download and evaluation,
    and packages built from two nixpkgs revisions end up side by side in the system
    closure (two glibc, two mesa — the classic cause of graphics breaking with Hyprland).
    At the same revision nothing extra is downloaded today, but Nix still evaluates the
    two lock nodes separately, and the next `nix flake update` moves yours and leaves the
    input's behind: the duplicate appears then, unannounced.

    ## Example
    ```nix
    inputs = {
      nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
      hyprland.url = "github:hyprwm/Hyprland";
    };
    ```

    Use instead:
    ```nix
    inputs = {
      nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
      hyprland.url = "github:hyprwm/Hyprland";
      hyprland.inputs.nixpkgs.follows = "nixpkgs";
    };
    ```

    ## Fix safety
    The fix adds `inputs.<input>.inputs.<name>.follows = "<yours>";` in the style the
    file already uses (inside the input's attrset, or as a flat dotted line). It is safe
    only when both lock nodes hold the same revision: nothing the input builds changes.
    At another revision — even of the same branch — or on another branch it is unsafe:
    the input's overlays, packages and modules are then built against your copy, which
    its authors never tested (an overlay may not apply, a flake-parts module may have
    changed its interface); build and try it before committing. Run `nix flake lock`
    afterwards. Some projects (Hyprland with its binary cache) ask you
    not to override their nixpkgs: ignore the finding there with `--ignore NXA501`.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake.html#flake-inputs
    """
    if ctx.kind is not FileKind.FLAKE or ctx.lock is None:
        return
    flake = read_flake_inputs(doc)
    if flake is None:
        return
    lock = ctx.lock
    roots = _root_candidates(lock, flake)
    for name, declaration in flake.inputs.items():
        if declaration.follows is not None:
            continue
        node = lock.resolve([name])
        if node is None or node.name not in lock.nodes:
            continue
        for nested, target in sorted(node.inputs.items()):
            if isinstance(target, list) or nested in declaration.nested:
                continue  # already follows something, or overridden in flake.nix
            nested_node = lock.nodes.get(target)
            if nested_node is None:
                continue
            match = _best_match(nested, nested_node, roots)
            if match is None:
                continue
            yield _finding(declaration, nested, nested_node, match)


def _root_candidates(lock: FlakeLock, flake: FlakeInputs) -> dict[str, LockedNode]:
    declared = set(flake.inputs) | set(flake.output_args)
    candidates: dict[str, LockedNode] = {}
    for name, target in lock.root_inputs().items():
        if isinstance(target, list) or name not in declared:
            continue
        declaration = flake.inputs.get(name)
        if declaration is not None and declaration.follows is not None:
            continue
        node = lock.nodes.get(target)
        if node is not None:
            candidates[name] = node
    return candidates


def _source(node: LockedNode) -> Source | None:
    return source_of_lock_entry(node.original) or source_of_lock_entry(node.locked)


def _best_match(nested: str, node: LockedNode, roots: dict[str, LockedNode]) -> _Match | None:
    source = _source(node)
    if source is None:
        return None
    best: tuple[int, int, str, _Match] | None = None
    for root_name, root_node in roots.items():
        if root_node.name == node.name:
            return None  # the same lock node: already shared
        root_source = _source(root_node)
        if root_source is None or root_source.repo != source.repo:
            continue
        if root_source.dir != source.dir or root_node.flake != node.flake:
            continue
        severity = _confidence(source, node, root_source, root_node)
        if severity is None:
            continue
        if not source.is_evaluated_set:
            severity = Severity.INFO  # a utility flake: the duplicate only grows the lock
        match = _Match(root_name, root_node, severity, source.is_evaluated_set)
        key = (int(severity), int(root_name == nested), root_name, match)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[3] if best else None


def _confidence(
    source: Source, node: LockedNode, root_source: Source, root_node: LockedNode
) -> Severity | None:
    locked_rev, root_rev = node.locked.get("rev"), root_node.locked.get("rev")
    if isinstance(locked_rev, str) and locked_rev == root_rev:
        return Severity.WARNING
    if source.rev is not None or root_source.rev is not None:
        return None  # a pinned revision is deliberate
    if source.ref == root_source.ref:
        return Severity.WARNING
    if source.series is not None and source.series == root_source.series:
        return Severity.INFO
    return None


def _same_revision(node: LockedNode, root_node: LockedNode) -> bool:
    """Whether both lock nodes hold the same tree: the same `rev`, or else the same `narHash`."""
    for key in ("rev", "narHash"):
        mine, theirs = node.locked.get(key), root_node.locked.get(key)
        if isinstance(mine, str) and isinstance(theirs, str):
            return mine == theirs
    return False


def _describe(node: LockedNode, source: Source | None) -> str:
    parts = []
    if node.date is not None:
        parts.append(f"locked {node.date.isoformat()}")
    if source is not None and source.ref:
        parts.append(source.ref)
    elif source is not None and source.rev:
        parts.append(f"rev {source.rev[:7]}")
    return ", ".join(parts)


def _finding(
    declaration: InputDeclaration, nested: str, nested_node: LockedNode, match: _Match
) -> Finding:
    line = f'inputs.{declaration.name}.inputs.{nested}.follows = "{match.root}";'
    mine = "yours" if match.root == nested else f"your `{match.root}`"
    same = _same_revision(nested_node, match.root_node)
    if same:
        # Nothing extra is downloaded today: the cost is two lock nodes, evaluated apart,
        # that `nix flake update` moves independently.
        message = (
            f"input `{declaration.name}` locks its own `{nested}` at the same revision as "
            f"{mine}: no extra download today, but the two lock nodes are evaluated separately "
            f"and drift apart at the next `nix flake update`; add `{line}`"
        )
    else:
        theirs = _describe(nested_node, _source(nested_node))
        yours = _describe(match.root_node, _source(match.root_node)).removeprefix("locked ")
        message = (
            f"input `{declaration.name}` brings its own `{nested}`"
            + (f" ({theirs})" if theirs else "")
            + f" beside {mine}"
            + (f" ({yours})" if yours else "")
            + f": add `{line}`"
        )
        if not match.evaluated_set:
            message += " (a small flake: the duplicate only grows the lock)"
        elif match.severity is Severity.INFO:
            message += " (another branch of the same release series)"
    fixes: tuple[Fix, ...] = ()
    if declaration.insertion is not None:
        # Only a follows that changes nothing today is safe: at another revision (or branch)
        # the input — its overlays, its packages, its modules — is built against yours.
        applicability = Applicability.SAFE if same else Applicability.UNSAFE
        offset = declaration.insertion.offset
        edit = Edit(Span(offset, offset), declaration.insertion.text(nested, match.root))
        fixes = (Fix(f"Make `{declaration.name}` follow your `{match.root}`", (edit,),
                     applicability),)
    return NXA501.finding(declaration.name_span, message, fixes=fixes, severity=match.severity)


@NXA502.check
def stale_flake_lock(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """`flake.lock` is out of date with `flake.nix`, has unreachable nodes, or cannot be read.

    ## What it does
    On `flake.nix`, compares each input's `url` with the `original` reference recorded in
    the lock beside it, looks for inputs locked but no longer declared (or declared but
    not locked), for lock nodes that nothing reaches from `root` (left over from a hand
    edit or a merge) — as an info. A `flake.lock` that cannot be used at all (truncated,
    not valid JSON, a merge conflict left in it, a version this tool cannot read) is a
    warning naming the error: every file below it is then checked against no release
    (their NXA100 says why), so CI should not pass quietly.

    ## Why is this bad?
    Everything this tool derives from the lock — which release your configuration is
    pinned to, which inputs are duplicated — is only as right as the lock. Nix re-locks
    silently on the next build, so the committed lock and what you actually build drift
    apart; CI and colleagues see another revision than you.

    ## Example
    ```nix
    # flake.nix says nixos-24.11, flake.lock still records nixos-24.05
    inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    ```

    Use instead: run `nix flake lock` and commit `flake.lock`.

    ## Fix safety
    No automatic fix: re-locking needs the network and `nix`.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake-lock.html
    """
    if ctx.kind is not FileKind.FLAKE or ctx.lock_path is None:
        return
    if ctx.path is not None and ctx.lock_path.parent != ctx.path.parent:
        return
    flake = read_flake_inputs(doc)
    anchor = flake.inputs_span if flake is not None and flake.inputs_span else Span(0, 0)
    if ctx.lock_problem is not None:
        advice = (
            "pass `--release` until this tool reads it"
            if "version" in ctx.lock_problem
            else "fix it (merge conflict?) or re-create it with `nix flake lock`"
        )
        yield NXA502.finding(
            anchor,
            f"{ctx.lock_problem}: the release is unknown and the flake checks are skipped; "
            f"{advice}",
            severity=Severity.WARNING,
        )
        return
    if ctx.lock is None or flake is None:
        return
    yield from _stale_inputs(ctx.lock, flake, anchor)
    unreachable = sorted(set(ctx.lock.nodes) - _reachable(ctx.lock))
    if unreachable:
        names = ", ".join(f"`{n}`" for n in unreachable[:5])
        more = f" and {len(unreachable) - 5} more" if len(unreachable) > 5 else ""
        yield NXA502.finding(
            anchor,
            f"`flake.lock` has {len(unreachable)} node(s) unreachable from `root` ({names}{more}), "
            "left by a hand edit or a merge: re-create it with `nix flake lock`",
        )


def _stale_inputs(lock: FlakeLock, flake: FlakeInputs, anchor: Span) -> Iterator[Finding]:
    root_inputs = lock.root_inputs()
    for name, declaration in flake.inputs.items():
        if declaration.follows is not None or declaration.url is None:
            continue
        span = declaration.url_span or declaration.name_span
        target = root_inputs.get(name)
        if target is None:
            yield NXA502.finding(
                span, f"input `{name}` is not in `flake.lock`: run `nix flake lock`"
            )
            continue
        if isinstance(target, list):
            continue
        node = lock.nodes.get(target)
        wanted = source_of_url(declaration.url)
        if node is None:
            continue
        recorded = source_of_lock_entry(node.original)
        if wanted is None or recorded is None or _same(wanted, recorded):
            continue
        yield NXA502.finding(
            span,
            f"`flake.lock` records input `{name}` as `{describe_source(node.original)}` "
            f"but `flake.nix` asks for `{declaration.url}`: run `nix flake lock`",
        )
    if flake.dynamic:
        return
    declared = set(flake.inputs) | set(flake.output_args)
    for name in sorted(set(root_inputs) - declared):
        yield NXA502.finding(
            anchor,
            f"`flake.lock` still locks input `{name}`, which `flake.nix` no longer declares: "
            "run `nix flake lock`",
        )


def _same(a: Source, b: Source) -> bool:
    return (a.repo, a.ref, a.rev, a.dir or None) == (b.repo, b.ref, b.rev, b.dir or None)


def _reachable(lock: FlakeLock) -> set[str]:
    seen = {lock.root}
    queue = [lock.root]
    while queue:
        node = lock.nodes.get(queue.pop())
        if node is None:
            continue
        for target in node.inputs.values():
            resolved = lock.resolve(target) if isinstance(target, list) else lock.nodes.get(target)
            if resolved is not None and resolved.name not in seen:
                seen.add(resolved.name)
                queue.append(resolved.name)
    return seen
