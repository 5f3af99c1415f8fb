"""NXA604: several nixpkgs revisions in one flake.lock (the summary; the fixes are NXA501's)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.context.flake_lock import FlakeLock, LockedNode
from nixls_assist.context.flake_sources import source_of_lock_entry
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.lifecycle.locked_inputs import NIXPKGS, flake_view
from nixls_assist.syntax.document import ParsedDocument

NXA604 = Rule(
    code="NXA604",
    name="nixpkgs-input-sprawl",
    severity=Severity.INFO,
    summary="flake.lock holds more nixpkgs revisions than the root flake asks for",
    fix=FixAvailability.NONE,
)


@NXA604.check
def nixpkgs_input_sprawl(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """`flake.lock` holds more nixpkgs revisions than the root flake asks for.

    ## What it does
    On `flake.nix`, counts the distinct nixpkgs revisions reachable from the lock's root
    (through every input, following `follows`) and compares them with the revisions your
    own nixpkgs inputs lock. When inputs bring revisions of their own, one info on the
    `inputs` attribute gives the size of the sprawl: how many revisions, and which inputs
    bring them. The per-input fix (a `follows` line) is NXA501's.

    ## Why is this bad?
    Each extra nixpkgs revision is another ~40 MB source download, another evaluation of
    the package set, and — when an input builds packages from it — another glibc, mesa
    and friends in the closure. Nothing is wrong by itself; it is the cost to know about.

    ## Example
    ```nix
    inputs = {
      nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
      hyprland.url = "github:hyprwm/Hyprland";      # brings its own nixpkgs
      agenix.url = "github:ryantm/agenix";          # and another
    };
    ```

    Use instead: `inputs.<name>.inputs.nixpkgs.follows = "nixpkgs";` where the input
    allows it (see NXA501's findings).

    ## Fix safety
    No fix here: NXA501 offers one per input.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake.html#flake-inputs
    """
    view = flake_view(doc, ctx)
    if view is None or view.flake.inputs_span is None:
        return
    own = {i.node.locked.get("rev") or i.node.name for i in view.inputs
           if i.source.repo == NIXPKGS}
    brought: dict[str, list[str]] = {}
    for path, node in _reachable(view.lock):
        source = source_of_lock_entry(node.original) or source_of_lock_entry(node.locked)
        if source is None or source.repo != NIXPKGS:
            continue
        rev = node.locked.get("rev") or node.name
        if rev not in own:
            brought.setdefault(rev, []).append(".".join(path))
    if not brought:
        return
    total = len(own) + len(brought)
    names = sorted({paths[0].split(".")[0] for paths in brought.values()})
    shown = ", ".join(f"`{n}`" for n in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else "")
    dates = sorted(date.isoformat() for n in view.lock.nodes.values()
                   if (n.locked.get("rev") or n.name) in brought and (date := n.date) is not None)
    span_text = f", locked {dates[0]} … {dates[-1]}" if dates and dates[0] != dates[-1] else ""
    yield NXA604.finding(
        view.flake.inputs_span,
        f"`flake.lock` holds {total} nixpkgs revisions, {len(brought)} of them brought by "
        f"inputs ({shown}{span_text}): each is a separate download and evaluation; "
        "see NXA501 for the `follows` lines",
    )


def _reachable(lock: FlakeLock) -> Iterator[tuple[list[str], LockedNode]]:
    seen = {lock.root}
    queue: list[tuple[list[str], str]] = [([], lock.root)]
    while queue:
        path, name = queue.pop(0)
        node = lock.nodes.get(name)
        if node is None:
            continue
        for input_name, target in sorted(node.inputs.items()):
            if isinstance(target, list):
                continue  # a follows points to a node reached another way
            if target in seen:
                continue
            seen.add(target)
            child = lock.nodes.get(target)
            if child is None:
                continue
            if path:  # a nested input: not one of the root's own
                yield [*path, input_name], child
            queue.append(([*path, input_name], target))
