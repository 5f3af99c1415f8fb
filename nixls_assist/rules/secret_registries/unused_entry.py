"""NXA214: a secret the agenix rules file registers that no configuration names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from nixls_assist.context import FileContext
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
    the extension) among the words of every other `.nix` file of the workspace. An entry
    named nowhere is reported. Until the fleet graph is known this is a search of the
    workspace's files, not of what each configuration evaluates to: a name written anywhere
    counts as a use, and nothing is said when another file reads the rules file itself.

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
    for entry in rules.entries:
        name = PurePosixPath(entry.name.removeprefix("./")).name
        stem = name.removesuffix(".age")
        if name in words or stem in words:
            continue
        yield NXA214.finding(
            entry.span,
            f"`{entry.name}` is registered, but no `.nix` file of the workspace names it "
            "(no configuration found that uses it)")
