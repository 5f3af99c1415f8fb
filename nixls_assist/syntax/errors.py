"""Where Nix's own parser would reject a file, read off the tree-sitter tree.

tree-sitter-nix 0.1.0 recovers from a few constructs that are *valid* Nix with
ERROR / MISSING nodes — most importantly the trailing comma that nixfmt (RFC 166)
writes after the last function formal (with or without a comment after it), and an
empty `inherit;`. Those recoveries are not syntax errors.

Nix 2.8's parser also rejects, while parsing, things the grammar accepts: chained
comparison / equality operators (`%nonassoc` in Nix's grammar), duplicate formals,
`${…}` names in `let` and `inherit`, paths ending in `/`, integers that do not fit
64 bits, and (once the whole file parsed) undefined variables. Nix stops at the first
error it *detects*: a check that runs when a construct is complete (a function, a `let`)
loses against a syntax error inside that construct. Duplicate attributes are NXA002
(`duplicates.py`); pipe operators (`|>`, `<|`) are reported once as `pipe-operator`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node

from nixls_assist.findings import Span
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.nodes import nodes_of_types
from nixls_assist.syntax.scopes import undefined_variables

SYNTAX = "syntax"
UNDEFINED_VARIABLE = "undefined-variable"
PIPE_OPERATOR = "pipe-operator"


@dataclass(frozen=True)
class SyntaxProblem:
    span: Span
    message: str
    kind: str = SYNTAX  # SYNTAX (incl. parse-time checks) | UNDEFINED_VARIABLE | PIPE_OPERATOR


def first_syntax_error(doc: ParsedDocument) -> SyntaxProblem | None:
    """The first place Nix's parser rejects `doc`, or None when it parses."""
    problems = syntax_problems(doc)
    return problems[0] if problems else None


def syntax_problems(doc: ParsedDocument) -> list[SyntaxProblem]:
    """What `nix-instantiate --parse` rejects: the first syntax / parse-time error, else
    every undefined variable (Nix names only the first; each one is a real error)."""
    return doc.cached("syntax_problems", lambda: _syntax_problems(doc))


def _syntax_problems(doc: ParsedDocument) -> list[SyntaxProblem]:
    problem = first_parse_error(doc)
    if problem is not None:
        return [problem]
    return [
        SyntaxProblem(u.span, f"undefined variable `{u.name}`", UNDEFINED_VARIABLE)
        for u in undefined_variables(doc)
    ]


def first_parse_error(doc: ParsedDocument) -> SyntaxProblem | None:
    """The first syntax or parse-time error (not undefined variables, not duplicates)."""
    return doc.cached("first_parse_error", lambda: _first_parse_error(doc))


def _first_parse_error(doc: ParsedDocument) -> SyntaxProblem | None:
    root = doc.root
    if doc.source.startswith(b"\xef\xbb\xbf"):
        return SyntaxProblem(
            Span(0, 3), "unexpected byte-order mark (Nix rejects it; save as UTF-8 without BOM)"
        )
    if root.child_by_field_name("expression") is None and not _has_error(root):
        end = len(doc.source.rstrip())
        return SyntaxProblem(Span(end, end), "unexpected end of file; expected an expression")
    syntax: SyntaxProblem | None = None
    if root.has_error:
        pipe = pipe_operator(doc)
        if pipe is not None:
            return SyntaxProblem(pipe, PIPE_MESSAGE, PIPE_OPERATOR)
        for node in _error_nodes(root):
            if _is_valid_recovery(node):
                continue
            syntax = _describe(doc, node)
            break
    limit = syntax.span.start if syntax is not None else len(doc.source) + 1
    checked = parse_time_errors(doc, limit)
    return checked if checked is not None else syntax


PIPE_MESSAGE = "pipe operators need `experimental-features = pipe-operators`; not analysed"


def pipe_operator(doc: ParsedDocument) -> Span | None:
    """The first `|>` / `<|` outside strings and comments, in a file the grammar rejects."""
    source = doc.source
    for token in (b"|>", b"<|"):
        at = source.find(token)
        while at != -1:
            node = doc.root.descendant_for_byte_range(at, at + 2)
            inside = node is not None and node.type in _TEXT_KINDS
            if not inside:
                return Span(at, at + 2)
            at = source.find(token, at + 2)
    return None


_TEXT_KINDS = frozenset(
    {
        "string_fragment",
        "comment",
        "string_expression",
        "indented_string_expression",
        "escape_sequence",
        "dollar_escape",
    }
)
_INT64_MAX = 2**63 - 1


def parse_time_errors(doc: ParsedDocument, limit: int) -> SyntaxProblem | None:
    """The parse-time check Nix makes first, among those it completes before `limit`.

    Each check fires when Nix reduces its construct: duplicate formals when the whole
    function is parsed, `${…}` in `let` when the whole `let … in …` is, the others at once.
    """
    best: tuple[int, SyntaxProblem] | None = None

    def consider(detected: int, problem: SyntaxProblem) -> None:
        nonlocal best
        if detected < limit and (best is None or detected < best[0]):
            best = (detected, problem)

    for node in _checked_nodes(doc):
        kind = node.type
        if node.start_byte >= limit:
            continue
        if kind == "function_expression":
            dup = _duplicate_formal(node)
            if dup is not None:
                consider(node.end_byte, dup)
        elif kind == "let_expression":
            dynamic = _dynamic_let(node)
            if dynamic is not None:
                consider(node.end_byte, dynamic)
        elif kind == "inherit" or kind == "inherit_from":
            attrs = node.child_by_field_name("attrs")
            for attr in attrs.named_children if attrs is not None else ():
                if attr.type == "interpolation" or (
                    attr.type == "string_expression"
                    and any(c.type == "interpolation" for c in attr.named_children)
                ):
                    consider(
                        node.end_byte,
                        SyntaxProblem(
                            Span(attr.start_byte, attr.end_byte),
                            "dynamic attributes not allowed in inherit",
                        ),
                    )
        elif kind == "path_expression" and node.named_child_count:
            last = node.named_children[-1]
            if last.type == "path_fragment" and (last.text or b"").endswith(b"/"):
                consider(
                    node.start_byte,
                    SyntaxProblem(
                        Span(node.start_byte, node.end_byte), "path has a trailing slash"
                    ),
                )
        elif kind == "binary_expression":
            chained = _chained_comparison(node)
            if chained is not None:
                consider(chained.span.start, chained)
        elif kind == "integer_expression":
            text = node.text or b"0"
            if text.isdigit() and int(text) > _INT64_MAX:
                consider(
                    node.start_byte,
                    SyntaxProblem(
                        Span(node.start_byte, node.end_byte),
                        f"invalid integer `{text.decode()}` (larger than 64 bits)",
                    ),
                )
    return best[1] if best is not None else None


_CHECKED_KINDS = (
    "function_expression",
    "let_expression",
    "inherit",
    "inherit_from",
    "path_expression",
    "integer_expression",
)


def _checked_nodes(doc: ParsedDocument) -> Iterable[Node]:
    """The nodes parse_time_errors looks at, outside ERROR and MISSING nodes. Binary
    expressions only when the text could hold a chained comparison: without them the other
    kinds come from the shared node index, with no query pass of their own."""
    kinds = (*_CHECKED_KINDS, "binary_expression") if _may_chain(doc.source) \
        else _CHECKED_KINDS
    if not doc.root.has_error:
        return nodes_of_types(doc, *kinds)  # the query engine: no Python walk
    found, stack = [], [doc.root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            continue
        if node.type in kinds:
            found.append(node)
        stack.extend(node.named_children)
    return found


def _may_chain(source: bytes) -> bool:
    """Whether `source` holds two comparison (`<`, `>`, `<=`, `>=`) or two equality (`==`,
    `!=`) operators, which a chain of one group needs (each operator is counted here)."""
    return (source.count(b"<") + source.count(b">") >= 2
            or source.count(b"==") + source.count(b"!=") >= 2)


def _duplicate_formal(function: Node) -> SyntaxProblem | None:
    formals = function.child_by_field_name("formals")
    if formals is None:
        return None
    seen: set[bytes] = set()
    for formal in formals.named_children:
        name = formal.child_by_field_name("name") if formal.type == "formal" else None
        if name is None or not name.text or name.is_missing:
            continue
        if name.text in seen:
            return SyntaxProblem(
                Span(name.start_byte, name.end_byte),
                f"duplicate function argument `{name.text.decode()}`",
            )
        seen.add(name.text)
    universal = function.child_by_field_name("universal")
    if universal is not None and universal.text in seen:
        return SyntaxProblem(
            Span(universal.start_byte, universal.end_byte),
            f"duplicate function argument `{universal.text.decode()}` (`@` name is also a formal)",
        )
    return None


# Nix's grammar declares these `%nonassoc`: two of one group in a row are a syntax error.
_NON_ASSOCIATIVE = {
    "==": "equality",
    "!=": "equality",
    "<": "comparison",
    ">": "comparison",
    "<=": "comparison",
    ">=": "comparison",
}


def _chained_comparison(node: Node) -> SyntaxProblem | None:
    """`a < b < c`, `a == b != c`: tree-sitter-nix nests them, Nix rejects the second
    operator (`a < b == c` is fine: `<` binds tighter than `==`)."""
    group = _NON_ASSOCIATIVE.get(_operator_text(node))
    if group is None:
        return None
    second: Node | None = None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is not None and _NON_ASSOCIATIVE.get(_operator_text(left)) == group:
        second = node.child_by_field_name("operator")  # (a < b) < c, as tree-sitter nests it
    elif right is not None and _NON_ASSOCIATIVE.get(_operator_text(right)) == group:
        second = right.child_by_field_name("operator")
    if second is None:
        return None
    text = (second.text or b"").decode()
    return SyntaxProblem(
        Span(second.start_byte, second.end_byte),
        f"unexpected `{text}`; {group} operators do not chain, add parentheses",
    )


def _operator_text(node: Node) -> str:
    if node.type != "binary_expression":
        return ""
    operator = node.child_by_field_name("operator")
    return (operator.text or b"").decode() if operator is not None else ""


def _dynamic_let(let: Node) -> SyntaxProblem | None:
    for binding_set in let.named_children:
        if binding_set.type != "binding_set":
            continue
        for binding in binding_set.named_children:
            if binding.type != "binding":
                continue
            attrpath = binding.child_by_field_name("attrpath")
            if attrpath is None or not attrpath.named_child_count:
                continue
            first = attrpath.named_children[0]
            if first.type == "interpolation" or (
                first.type == "string_expression"
                and any(c.type == "interpolation" for c in first.named_children)
            ):
                keyword = let.children[0]
                return SyntaxProblem(
                    Span(keyword.start_byte, keyword.end_byte),
                    f"dynamic attribute `{(first.text or b'').decode()}` not allowed in `let`; "
                    "use a plain name",
                )
    return None


def _has_error(node: Node) -> bool:
    return node.has_error or node.is_missing


def _error_nodes(root: Node) -> list[Node]:
    """ERROR and MISSING nodes in document order, outermost first (iterative walk)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def _is_valid_recovery(node: Node) -> bool:
    """Grammar recoveries for valid Nix: a trailing comma after the last formal, an
    empty `inherit;`.

    tree-sitter-nix 0.1.0 wants a formal after every `,`. Depending on what follows the
    comma it recovers with an empty formal, `(formal name: (MISSING identifier))`, or
    with `(ERROR ",")`; a comment after the comma (`{ a, b, # c` ⏎ `}`) is an extra the
    recovery steps over. Nix accepts the comma only right after a real formal (not
    after `{`, another `,` or `...`) and right before `}`; comments count for nothing.
    """
    parent = node.parent
    if parent is None:
        return False
    if node.is_missing and parent.type == "formal" and parent.start_byte == parent.end_byte:
        # `{ a, b, }:` → … (formal name: (MISSING identifier)) "}"
        comma = _neighbour(parent, before=True)
        following = _neighbour(parent, before=False)
        return (
            comma is not None
            and comma.type == ","
            and _after_formal(comma)
            and (following is None or following.type in ("}", "ellipses"))
        )
    if (
        node.is_missing
        and parent.type == "inherited_attrs"
        and parent.start_byte == parent.end_byte
    ):
        # `inherit;` / `inherit (x);` (Nix accepts an empty list) → (inherited_attrs (MISSING
        # identifier)) right before the `;`.
        following = _neighbour(parent, before=False)
        return following is not None and following.type == ";"
    if node.is_error and parent.type == "formals":
        # `{ x ? 0, }:` → (formals (formal …) (ERROR ",") "}")
        tokens = [c for c in node.children if c.type != "comment"]
        following = _neighbour(node, before=False)
        return (
            len(tokens) == 1
            and tokens[0].type == ","
            and _after_formal(node)
            and following is not None
            and following.type == "}"
        )
    return False


def _neighbour(node: Node, *, before: bool) -> Node | None:
    """The previous / next sibling that is not a comment."""
    sibling = node.prev_sibling if before else node.next_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.prev_sibling if before else sibling.next_sibling
    return sibling


def _after_formal(node: Node) -> bool:
    """`node` directly follows a real formal: not `{`, `,`, `...` or an empty recovery."""
    previous = _neighbour(node, before=True)
    return (
        previous is not None
        and previous.type == "formal"
        and previous.end_byte > previous.start_byte
        and not previous.has_error
    )


def _describe(doc: ParsedDocument, node: Node) -> SyntaxProblem:
    if node.is_missing:
        # Nix reports the token it could not accept, not the gap before it.
        at = _skip_trivia(doc.source, node.start_byte)
        if at >= len(doc.source):
            end = len(doc.source.rstrip())
            return SyntaxProblem(Span(end, end), f"unexpected end of file; expected `{node.type}`")
        token = doc.root.descendant_for_byte_range(at, at)
        stop = token.end_byte if token is not None and token.end_byte > at else at + 1
        shown = doc.source[at:stop].decode("utf-8", errors="replace")[:20]
        return SyntaxProblem(Span(at, stop), f"unexpected `{shown}`; expected `{node.type}`")
    token = _first_token(node)
    if (
        token is not None
        and token.type == ","
        and node.parent is not None
        and node.parent.type == "formals"
        and _after_formal(node)
    ):
        # `{ a, , }` → (ERROR "," ",") and `{ a ,, b }` → (ERROR ",") ",": the first comma
        # is fine, Nix rejects the token after it.
        following = _neighbour(token, before=False) or _neighbour(node, before=False)
        if following is not None:
            token = _first_token(following) or token
    if token is None:
        at = node.start_byte
        if at >= len(doc.source.rstrip()):
            return SyntaxProblem(Span(at, at), "unexpected end of file")
        return SyntaxProblem(Span(at, max(at, node.end_byte)), "syntax error")
    text = doc.node_text(token)
    content_end = len(doc.source.rstrip())
    if text in _OPENERS and _skip_trivia(doc.source, node.end_byte) >= len(doc.source):
        # An unclosed construct swallowed the rest of the file: Nix reports the end.
        return SyntaxProblem(Span(content_end, content_end), "unexpected end of file")
    shown = text if len(text) <= 20 else text[:20] + "…"
    return SyntaxProblem(Span(token.start_byte, token.end_byte), f"unexpected `{shown}`")


def _skip_trivia(source: bytes, offset: int) -> int:
    """The offset of the next token: past whitespace, `# …` and `/* … */` comments."""
    while offset < len(source):
        byte = source[offset : offset + 1]
        if byte.isspace():
            offset += 1
        elif byte == b"#":
            newline = source.find(b"\n", offset)
            offset = len(source) if newline == -1 else newline + 1
        elif source.startswith(b"/*", offset):
            close = source.find(b"*/", offset + 2)
            offset = len(source) if close == -1 else close + 2
        else:
            break
    return offset


_OPENERS = frozenset({"{", "(", "[", "let", "rec", '"', "''", "${", "if", "with", "assert"})


def _first_token(node: Node) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.child_count == 0 and current.end_byte > current.start_byte:
            return current
        stack.extend(reversed(current.children))
    return None
