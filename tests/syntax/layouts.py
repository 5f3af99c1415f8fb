"""Re-emit a Nix file in other layouts, and mutate it, for the differential test.

Nix ignores whitespace between tokens, so joining the leaves of a tree-sitter tree with
any whitespace gives an equivalent file, as long as strings, paths and URIs stay whole
(they are emitted as one unit). Comments are dropped (a `#` comment would swallow a line).
"""

from __future__ import annotations

import random

from tree_sitter import Node

from nixls_assist.syntax.document import parse

_ATOMIC = frozenset(
    {"string_expression", "indented_string_expression", "path_expression",
     "hpath_expression", "spath_expression", "uri_expression", "float_expression",
     "integer_expression"}
)


def tokens(source: bytes) -> list[Node]:
    """The leaves of the tree (strings, paths and URIs as one leaf), comments left out."""
    out: list[Node] = []
    stack = [parse(source).root]
    while stack:
        node = stack.pop()
        if node.type == "comment" or node.is_missing:
            continue
        if node.type in _ATOMIC or node.child_count == 0:
            if node.end_byte > node.start_byte:
                out.append(node)
            continue
        stack.extend(reversed(node.children))
    return out


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="surrogateescape")


def one_line(source: bytes) -> str:
    return " ".join(_text(source, t) for t in tokens(source)) + "\n"


def exploded(source: bytes) -> str:
    """One token per line: the most vertical layout there is."""
    return "\n".join(_text(source, t) for t in tokens(source)) + "\n"


def indented(source: bytes, trailing_commas: bool) -> str:
    """A block layout: newline after `{ ; [`, before `}` / `]`; formals one per line.

    With `trailing_commas` (nixfmt / RFC 166 style) a comma follows the last formal,
    else commas lead the line (the classic nixpkgs style).
    """
    out: list[str] = []
    depth = 0
    toks = tokens(source)
    for i, tok in enumerate(toks):
        text = _text(source, tok)
        parent = tok.parent
        in_formals = parent is not None and parent.type == "formals"
        if parent is not None and parent.type == "interpolation":
            out.append(text)  # `${ … }` stays on its line
            continue
        if text in ("}", "]") and not (in_formals and not trailing_commas):
            depth = max(0, depth - 1)
            out.append("\n" + "  " * depth)
        if in_formals and text == "}" and trailing_commas:
            previous = toks[i - 1]
            if previous.type != "ellipses" and _text(source, previous) not in (",", "{"):
                out.insert(len(out) - 1, ",")
        if in_formals and text == "," and not trailing_commas:
            out.append("\n" + "  " * depth + ", ")
            continue
        out.append(text)
        if text in ("{", "[", ";", "in") or (in_formals and text == "," and trailing_commas):
            if text in ("{", "["):
                depth += 1
            out.append("\n" + "  " * depth)
        else:
            out.append(" ")
    return "".join(out).rstrip() + "\n"


LAYOUTS = {
    "one-line": one_line,
    "exploded": exploded,
    "nixfmt": lambda s: indented(s, trailing_commas=True),
    "classic": lambda s: indented(s, trailing_commas=False),
}


def mutations(source: bytes, count: int, seed: int) -> list[tuple[str, bytes]]:
    """`count` single-token mutations: a token deleted, a token doubled, the file cut."""
    rng = random.Random(seed)
    toks = tokens(source)
    if not toks:
        return []
    out: list[tuple[str, bytes]] = []
    for n in range(count):
        tok = toks[rng.randrange(len(toks))]
        kind = ("delete", "duplicate", "truncate")[n % 3]
        start, end = tok.start_byte, tok.end_byte
        if kind == "delete":
            mutated = source[:start] + source[end:]
        elif kind == "duplicate":
            mutated = source[:end] + b" " + source[start:end] + source[end:]
        else:
            mutated = source[:start]
        out.append((f"{kind}@{start}", mutated))
    return out
