"""NXA0xx: what Nix's parser rejects, and files that cannot be analysed."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.context import FileContext
from nixls_assist.edits import apply_edits
from nixls_assist.findings import Applicability, Finding, Fix, Severity, Span
from nixls_assist.rules.base import FixAvailability, Indexes, Rule
from nixls_assist.syntax.document import ParsedDocument, parse
from nixls_assist.syntax.duplicates import DuplicateAttribute, duplicate_attributes, merge_edits
from nixls_assist.syntax.errors import (
    PIPE_OPERATOR,
    SYNTAX,
    first_parse_error,
    first_syntax_error,
    syntax_problems,
)

NXA001 = Rule(
    code="NXA001",
    name="syntax-error",
    severity=Severity.ERROR,
    summary="Nix's parser rejects the file",
    fix=FixAvailability.NONE,
)

NXA002 = Rule(
    code="NXA002",
    name="duplicate-attribute",
    severity=Severity.ERROR,
    summary="an attribute is defined twice (Nix rejects the file while parsing)",
    fix=FixAvailability.SOMETIMES,
)

NXA003 = Rule(
    code="NXA003",
    name="file-not-analysed",
    severity=Severity.WARNING,
    summary="the file cannot be read, is too large or binary (warning); or is analysed "
            "although not valid UTF-8 (info)",
    fix=FixAvailability.NONE,
)

NXA004 = Rule(
    code="NXA004",
    name="pipe-operator",
    severity=Severity.INFO,
    summary="the file uses the experimental pipe operators `|>` / `<|`; not analysed",
    fix=FixAvailability.NONE,
)


@NXA001.check
def syntax_error(doc: ParsedDocument, ctx: FileContext, index: Indexes | None) -> Iterator[Finding]:
    """The file does not parse as Nix.

    ## What it does
    Reports the first place where Nix's own parser (`nix-instantiate --parse`) rejects
    the file. Constructs that Nix accepts but older tree-sitter grammars stumble over
    (a trailing comma after the last function argument, as nixfmt writes it) are not
    reported. Nix also rejects, while parsing, duplicate function arguments, `${…}`
    names in `let` / `inherit`, paths ending in `/`, integers over 64 bits, and
    variables no `let`, `rec`, function argument or `with` defines
    ("undefined variable"); those are reported here too (every undefined variable,
    not just the first). Duplicate attributes are NXA002.

    ## Why is this bad?
    Nix stops at the first syntax error: nothing in the file is evaluated, so the whole
    configuration fails to build.

    ## Example
    ```nix
    { services.openssh.enable = true }
    ```

    Use instead:
    ```nix
    { services.openssh.enable = true; }
    ```

    ## Fix safety
    No automatic fix: the intent of broken code cannot be known.

    ## References
    - Nix language reference: https://nix.dev/manual/nix/stable/language/
    """
    if doc.skipped:
        return
    for problem in syntax_problems(doc):
        if problem.kind == PIPE_OPERATOR:
            return  # NXA004 says it once
        prefix = "syntax error: " if problem.kind == SYNTAX else ""
        yield NXA001.finding(problem.span, prefix + problem.message)


@NXA002.check
def duplicate_attribute(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """An attribute is defined twice in the same attribute set or `let`.

    ## What it does
    Applies Nix's own rule: a dotted path (`a.b.c = …;`) adds to a set an earlier
    dotted path or attribute set literal made; two attribute set literals for the
    same name merge, but only one level deep; anything else defined twice (also
    through `inherit`) is an error. The finding points at the second definition and
    names the first.

    ## Why is this bad?
    Nix rejects the whole file while parsing ("attribute '…' already defined"), so
    nothing in it is evaluated.

    ## Example
    ```nix
    {
      services.unbound.settings.server.interface = [ "0.0.0.0" ];
      services.unbound.settings = {
        server = { access-control = [ "10.0.0.0/8 allow" ]; };
      };
    }
    ```

    Use instead:
    ```nix
    {
      services.unbound.settings.server.interface = [ "0.0.0.0" ];
      services.unbound.settings = { };
      services.unbound.settings.server = { access-control = [ "10.0.0.0/8 allow" ]; };
    }
    ```

    ## Fix safety
    Offered only when it is obvious and checked to parse: the clashing binding of a
    merged literal is moved out as a dotted binding (same value, comments moved with
    it), or the second of two identical bindings is deleted. Both are safe.

    ## References
    - Nix manual, attribute sets: https://nix.dev/manual/nix/stable/language/syntax#attrs-literal
    """
    if doc.skipped:
        return
    parse_error = first_parse_error(doc)
    if parse_error is not None and parse_error.kind == PIPE_OPERATOR:
        return
    limit = parse_error.span.start if parse_error is not None else len(doc.source) + 1
    duplicates = duplicate_attributes(doc)
    for dup in duplicates:
        if dup.later.end > limit:
            continue  # past a syntax error the tree is a guess
        line = doc.lines.position(dup.first.start)[0] + 1
        yield NXA002.finding(
            dup.later,
            f"attribute `{dup.path}` already defined on line {line}{_REASONS[dup.reason]}",
            related=((dup.first, f"`{dup.path}` first defined here"),),
            fixes=_duplicate_fixes(doc, dup, len(duplicates)),
        )


_REASONS = {
    "value": "; remove or rename one of the definitions",
    "not-a-set": "; the earlier value is not an attribute set literal, so Nix cannot add to it",
    "inherited": "; it is inherited there, so Nix cannot add to it",
    "merge": "; two attribute set literals for the same name merge only one level deep",
}


def _duplicate_fixes(doc: ParsedDocument, dup: DuplicateAttribute, count: int) -> tuple[Fix, ...]:
    edits = merge_edits(doc.source, dup)
    if edits is None:
        return ()
    fixed = parse(apply_edits(doc.source, list(edits)))
    if first_syntax_error(fixed) is not None or len(duplicate_attributes(fixed)) >= count:
        return ()
    title = (f"Move `{dup.path}` out as a dotted binding" if dup.reason == "merge"
             else "Delete the repeated definition")
    return (Fix(title, edits, Applicability.SAFE),)


@NXA004.check
def pipe_operator(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """The file uses the pipe operators `|>` / `<|`.

    ## What it does
    Reports, once, the first pipe operator in a file, instead of the cascade of syntax
    errors an analyser without them would produce. The file is not analysed further.

    ## Why is this bad?
    Pipe operators are an experimental feature of newer Nix (2.24+); a Nix without
    `experimental-features = pipe-operators` (and every Nix 2.8) rejects the file.

    ## Example
    ```nix
    hosts |> lib.concatStringsSep "\\n"
    ```

    Use instead (or enable the feature everywhere the file is evaluated):
    ```nix
    lib.concatStringsSep "\\n" hosts
    ```

    ## Fix safety
    No fix.

    ## References
    - Nix manual, experimental features: https://nix.dev/manual/nix/latest/development/experimental-features#xp-feature-pipe-operators
    """
    if doc.skipped:
        return
    problem = first_parse_error(doc)
    if problem is not None and problem.kind == PIPE_OPERATOR:
        yield NXA004.finding(problem.span, problem.message)


@NXA003.check
def file_not_analysed(
    doc: ParsedDocument, ctx: FileContext, index: Indexes | None
) -> Iterator[Finding]:
    """The file could not be analysed (unreadable, too large, binary) or is not valid UTF-8.

    ## What it does
    Files that cannot be read (a dangling symbolic link, a symbolic link loop, no
    permission), files over the size limit (default 10 MB) and binary files named
    `*.nix` are skipped with this finding — a warning, one per file — and every other
    file is still checked. A file with invalid UTF-8 is analysed, but positions inside
    the broken bytes may be approximate: that is said as an info.

    ## Why is this bad?
    A `.nix` file that nobody can read is usually generated by accident, corrupted, or
    a link left behind by a move (Nix fails on it as soon as something imports it); a
    huge generated file slows every tool down.

    ## Example
    A 20 MB generated `packages.nix`, or `hosts/old.nix` linking to a deleted file.

    Use instead: keep generated data in JSON and read it with `builtins.fromJSON`,
    remove or repair the link, or exclude the file in `.nixls-assist.toml`.

    ## Fix safety
    No fix.

    ## References
    - `nixls-assist check --help` (size limit)
    """
    if doc.note is not None:
        severity = Severity.WARNING if doc.note.skipped else Severity.INFO
        yield NXA003.finding(Span(0, 0), doc.note.message, severity=severity)
