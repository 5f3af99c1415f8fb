"""NXA601: the pinned release no longer gets security updates, or two pinned parts disagree."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.context.release import UNSTABLE
from nixls_assist.context.support import is_end_of_life
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.rules.lifecycle.locked_inputs import (
    HOME_MANAGER,
    NIX_DARWIN,
    NIXPKGS,
    LockedInput,
    builds_systems,
    flake_view,
    main_nixpkgs,
    nixpkgs_of,
)
from nixls_assist.syntax.document import ParsedDocument

NXA601 = Rule(
    code="NXA601",
    name="end-of-life-release",
    severity=Severity.WARNING,
    summary="the pinned NixOS release is past its support window, or home-manager / nix-darwin "
            "follow another release than the nixpkgs they are used with",
    fix=FixAvailability.NONE,
)


@NXA601.check
def end_of_life_release(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """The pinned release is end of life, or home-manager / nix-darwin do not match nixpkgs.

    ## What it does
    On `flake.nix`, reads each nixpkgs input's branch from `flake.lock` (`nixos-23.11`,
    `nixpkgs-24.05-darwin`, a channel tarball) and compares it with the end-of-support date
    of that NixOS release (embedded facts, from the release notes and nixos.org). The
    configuration's nixpkgs (the input the release is read from, the only one, the one
    home-manager and nix-darwin follow, or one whose `lib.nixosSystem` builds a machine)
    past its date is a warning; another nixpkgs input (a `nixpkgs-stable` kept for a few
    packages) is an info.
    It also compares home-manager's branch (`release-24.11`, or `master`) and nix-darwin's
    (`nix-darwin-24.11`, or `master`) with the nixpkgs they are used with — the one their
    `nixpkgs` input follows, else yours — and warns when the releases differ: home-manager
    prints the same warning at every activation, and nix-darwin refuses a mismatched nixpkgs.
    The date it judges by is today's (`check --today` sets another). `unstable` is never
    end of life; a release newer than the embedded table is not judged.

    ## Why is this bad?
    A NixOS release gets security fixes until about a month after the next release (end of
    June for `YY.11`, end of December for `YY.05`). After that the branch stops moving:
    `nix flake update` no longer brings fixes, and every CVE fixed since stays open on the
    machine. A home-manager or nix-darwin release built for another nixpkgs uses options
    and packages that have moved, which breaks evaluation in confusing ways.

    ## Example
    ```nix
    inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-23.11";
    inputs.home-manager.url = "github:nix-community/home-manager/release-23.05";
    ```

    Use instead:
    ```nix
    inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    inputs.home-manager.url = "github:nix-community/home-manager/release-25.11";
    ```

    ## Fix safety
    No automatic fix: moving to a new release is an upgrade (read its release notes, then
    `nixos-rebuild build` before switching; `nixls-assist check --release` shows what the
    new release renames or removes).

    ## References
    - https://nixos.org/manual/nixos/stable/#sec-upgrading
    - https://status.nixos.org/
    - https://nix-community.github.io/home-manager/#sec-upgrade-release
    """
    view = flake_view(doc, ctx)
    if view is None:
        return
    main = main_nixpkgs(view, ctx)
    if ctx.today is not None:
        for item in view.inputs:
            if item.source.repo != NIXPKGS or (release := item.release) is None:
                continue
            end = is_end_of_life(release, ctx.today)
            if end is None:
                continue
            when = f"on {end.date.isoformat()}" if end.exact else \
                f"by {end.date.isoformat()} at the latest"
            is_main = item is main or builds_systems(doc.text, item.name)
            message = (
                f"input `{item.name}` is pinned to `{item.source.ref}` (NixOS {release}), which "
                f"stopped getting security updates {when}: move to a supported release"
            )
            if not is_main:
                message += " (not the nixpkgs your configuration is checked against)"
            yield NXA601.finding(item.span, message, release=release,
                                 severity=None if is_main else Severity.INFO)
    for item in view.inputs:
        if item.source.repo not in (HOME_MANAGER, NIX_DARWIN):
            continue
        yield from _mismatch(item, nixpkgs_of(view, item, main))


def _mismatch(item: LockedInput, nixpkgs: LockedInput | None) -> Iterator[Finding]:
    mine, theirs = item.release, nixpkgs.release if nixpkgs is not None else None
    if nixpkgs is None or mine is None or theirs is None or mine == theirs:
        return
    if item.source.repo == NIX_DARWIN and mine == UNSTABLE and theirs < "24.11":
        return  # nix-darwin had no release branches before 24.11: master served them all
    what = "home-manager" if item.source.repo == HOME_MANAGER else "nix-darwin"
    branch = f"`{item.source.ref}`" if item.source.ref else "its default branch"

    def name(release: str) -> str:
        return "unstable" if release == UNSTABLE else release

    advice = (f"use {what}'s `release-{theirs}` branch" if what == "home-manager"
              else f"use `nix-darwin-{theirs}`") if theirs != UNSTABLE else \
        f"use {what}'s `master` branch"
    yield NXA601.finding(
        item.span,
        f"input `{item.name}` follows {what} {name(mine)} ({branch}) but is used with nixpkgs "
        f"{name(theirs)} (`{nixpkgs.name}`): {advice}",
        release=theirs,
    )
