"""No release pin: the release-aware option checks are skipped (NXA100)."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.findings import Finding, Severity, Span
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.option_targets import (
    SYSTEM_LABEL,
    unpinned_systems,
)
from nixls_assist.syntax.document import ParsedDocument

_INPUT_NAMES = {"nixos": "nixpkgs", "home-manager": "home-manager"}

NXA100 = Rule(
    code="NXA100",
    name="release-unknown",
    severity=Severity.INFO,
    summary="the file's release could not be determined, so option checks are skipped",
)


@NXA100.check
def release_unknown(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """No release pin was found for a module, so release-aware checks are skipped.

    ## What it does
    Says once per file that the renamed / removed / unknown option checks did not run,
    because no `flake.lock` with a `nixpkgs` (or `home-manager`) input was found above
    the file and no release was configured. When the `flake.lock` above the file cannot
    be used (not valid JSON, say), the finding names it and the error; the flake's
    NXA502 reports that as a warning.

    ## Why is this bad?
    Option names change between releases. Guessing the release would produce findings
    for the wrong one; saying nothing would look like a clean bill of health.

    ## Example
    A `configuration.nix` of a channel-based system, checked outside any flake.

    Use instead: `nixls-assist check --release 24.11`, or `release = "24.11"` in
    `.nixls-assist.toml`.

    ## Fix safety
    No fix: the release is a fact about your machine.

    ## References
    - https://nixos.org/manual/nixos/stable/#sec-upgrading
    """
    missing = unpinned_systems(doc, ctx)
    if missing:
        names = " and ".join(f"`{_INPUT_NAMES[s]}`" for s in missing)
        systems = " / ".join(SYSTEM_LABEL[s] for s in missing)
        if ctx.lock_problem is not None:
            yield NXA100.finding(
                Span(0, 0),
                f"no release pin for this {systems} module: {ctx.lock_problem}; option checks "
                "skipped — fix the lock (`nix flake lock`) or pass `--release`",
            )
            return
        yield NXA100.finding(
            Span(0, 0),
            f"no release pin for this {systems} module (no flake.lock input {names}); "
            f"option checks skipped — pass `--release` or set `release` in .nixls-assist.toml",
        )
