"""NXA214: a secret the agenix rules file registers that no configuration names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from nixls_assist.context import FileContext
from nixls_assist.context.secret_files import words_of
from nixls_assist.findings import Finding, Severity
from nixls_assist.rules.base import Indexes, Rule
from nixls_assist.rules.secret_registries.references import is_rules_file, rules_of
from nixls_assist.syntax.document import ParsedDocument

NXA214 = Rule(
    code="NXA214",
    name="secret-registered-but-unused",
    severity=Severity.INFO,
    summary="an agenix `secrets.nix` entry no configuration in the workspace names",
)


@NXA214.check
def secret_registered_but_unused(doc: ParsedDocument, ctx: FileContext,
                                 indexes: Indexes | None) -> Iterator[Finding]:
    """An entry of the agenix rules file whose name appears in no other `.nix` file.

    ## What it does
    In a `secrets.nix` rules file, looks up each entry's name (`wifi.age`, or `wifi` without
    the extension) among the words of the files the flake's configurations use: the module
    files of every `nixosConfigurations` / `darwinConfigurations` / `homeConfigurations`
    entry (the fleet graph) and the helpers read to find them. An entry named in none is
    reported. When the fleet graph is incomplete (a configuration or module list it cannot
    follow) or the flake defines no configuration, every other `.nix` file of the workspace
    is searched instead, and the message says no configuration was found. A name written
    anywhere counts as a use, and nothing is said when another file reads the rules file
    itself.

    ## Why is this bad?
    A secret no configuration uses is still re-encrypted for every recipient and kept in
    the repository: usually a leftover of a removed service, or a typo in the entry's name.

    ## Example
    ```nix
    { "old-vpn.age".publicKeys = [ laptop ]; }  # nothing uses old-vpn any more
    ```

    Use instead: remove the entry and its `.age` file, or fix the name.

    ## Fix safety
    No fix: removing a secret is a decision to make by hand.

    ## References
    - agenix: https://github.com/ryantm/agenix
    """
    if not is_rules_file(doc, ctx):
        return
    rules = rules_of(doc)
    secrets = ctx.secrets if rules.entries else None
    if secrets is None:
        return
    words = secrets.nix_words()
    if "secrets.nix" in words:
        return  # another file reads the rules (agenix-rekey style): every entry may be used
    fleet = ctx.fleet
    if fleet is not None and fleet.complete and fleet.configurations:
        used = {p for c in fleet.configurations for p in c.modules} | fleet.evaluated
        words = words_of(p for p in used if p != ctx.path)
        reason = (f"no module file of the flake's {len(fleet.configurations)} "
                  "configuration(s) names it")
    else:
        reason = ("no `.nix` file of the workspace names it "
                  "(no configuration found that uses it)")
    for entry in rules.entries:
        name = PurePosixPath(entry.name.removeprefix("./")).name
        stem = name.removesuffix(".age")
        if name in words or stem in words:
            continue
        yield NXA214.finding(entry.span, f"`{entry.name}` is registered, but {reason}")
