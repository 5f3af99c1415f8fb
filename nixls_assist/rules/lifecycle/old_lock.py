"""NXA602: nixpkgs (or home-manager, nix-darwin) locked long ago."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.context.support import is_end_of_life
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.lifecycle.locked_inputs import flake_view
from nixls_assist.syntax.document import ParsedDocument

NXA602 = Rule(
    code="NXA602",
    name="old-flake-lock",
    severity=Severity.INFO,
    summary="nixpkgs, home-manager or nix-darwin locked more than 90 days ago (info), "
            "more than a year ago (warning); configurable with `[lock-age]`",
    fix=FixAvailability.NONE,
)


@NXA602.check
def old_flake_lock(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """nixpkgs, home-manager or nix-darwin has not been updated in `flake.lock` for long.

    ## What it does
    On `flake.nix`, reads the `lastModified` date `flake.lock` records for the inputs that
    matter — nixpkgs, home-manager and nix-darwin, not every small utility flake — and
    compares it with today (`check --today` sets another date). Locked more than
    `[lock-age] info-days` ago (default 90): an info; more than `warning-days` (default
    365): a warning. One finding per flake, on the oldest of them, naming the others. An
    input pinned to a `rev` in `flake.nix` is deliberate and not judged; an input on a
    release past its support window (nixpkgs, or a home-manager / nix-darwin release
    branch) is NXA601's business, not this rule's.

    ## Why is this bad?
    Security fixes reach a flake configuration only through `nix flake update`: a nixpkgs
    locked a year ago misses a year of them (OpenSSH, glibc, the kernel, browsers), even on
    a supported release branch. The longer a lock waits, the bigger and riskier the update
    that finally comes.

    ## Example
    ```nix
    # flake.lock: nixpkgs (nixos-unstable) lastModified 2025-01-10
    inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    ```

    Use instead: run `nix flake update` (or `nix flake update nixpkgs`), build, commit the
    lock — or automate it (a scheduled CI job such as `update-flake-lock`).

    ## Fix safety
    No automatic fix: updating a lock needs the network and a build to check the result.

    ## References
    - https://nix.dev/manual/nix/stable/command-ref/new-cli/nix3-flake-update.html
    - https://github.com/DeterminateSystems/update-flake-lock
    """
    view = flake_view(doc, ctx)
    if view is None or ctx.today is None:
        return
    today = ctx.today
    aged = []
    for item in view.inputs:
        date = item.date
        if item.pinned_rev or date is None:
            continue
        release = item.release
        if release is not None and is_end_of_life(release, today) is not None:
            continue  # a release past its support: NXA601's (an update brings little)
        age = (today - date).days
        if age > ctx.lock_age.info_days:
            aged.append((age, item))
    if not aged:
        return
    aged.sort(key=lambda pair: (-pair[0], pair[1].name))
    age, oldest = aged[0]
    severity = Severity.WARNING if age > ctx.lock_age.warning_days else Severity.INFO
    others = ", ".join(f"`{item.name}` {item.date}" for _, item in aged[1:4])
    more = f" and {len(aged) - 4} more" if len(aged) > 4 else ""
    also = f" (also old: {others}{more})" if others else ""
    yield NXA602.finding(
        oldest.span,
        f"input `{oldest.name}` was locked on {oldest.date} ({age} days ago): it misses every "
        f"security fix since; run `nix flake update`{also}",
        severity=severity,
    )
