"""Option paths as segment tuples, their printed form, and the placeholder conventions.

Paths are handled as tuples of segments everywhere; text only at the edges. The printed form
follows nixpkgs' `lib.showOption` (non-identifiers quoted; `<name>` and `*` bare), which is what
options.json names and the rename tables use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

#: Separator of segments inside the store's keys (never appears in an attribute name in practice).
KEY_SEP = "\x1f"
#: In a query: an unknown / interpolated name. In an option path: the list-of-submodule placeholder.
ANY = "*"

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*")


def is_name_placeholder(segment: str) -> bool:
    """`<name>`, `<user>`, ...: the attrs-of-submodule placeholder of an option path."""
    return len(segment) > 2 and segment[0] == "<" and segment[-1] == ">"


def is_placeholder(segment: str) -> bool:
    return segment == ANY or is_name_placeholder(segment)


def matches_pattern(pattern: Sequence[str], path: Sequence[str]) -> bool:
    """Whether `path` is an instance of the option path `pattern`: as long, each placeholder
    (`<name>`, `*`) standing for any one segment."""
    return len(pattern) == len(path) and all(
        is_placeholder(p) or p == s for p, s in zip(pattern, path, strict=True))


def split_path(text: str) -> tuple[str, ...]:
    """Split a printed option path, honouring quoted segments: `a."b.c".d` -> ("a", "b.c", "d")."""
    segments: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            segments.append("".join(buf))
            i = j + 1
            if i < n and text[i] == ".":
                i += 1
        else:
            j = text.find(".", i)
            if j < 0:
                j = n
            # a `<name>` placeholder never contains a dot, so no special case is needed
            segments.append(text[i:j])
            i = j + 1
    return tuple(segments)


def show_segment(segment: str) -> str:
    if _BARE.fullmatch(segment) or is_placeholder(segment):
        return segment
    escaped = segment.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return f'"{escaped}"'


def show_path(segments: Sequence[str]) -> str:
    """Printed form of a path, as `lib.showOption` writes it."""
    return _show_path(tuple(segments))


@functools.lru_cache(maxsize=65536)  # the same paths are printed on every keystroke
def _show_path(segments: tuple[str, ...]) -> str:
    return ".".join(show_segment(s) for s in segments)


def to_key(segments: Sequence[str]) -> str:
    return KEY_SEP.join(segments)


def from_key(key: str) -> tuple[str, ...]:
    return tuple(key.split(KEY_SEP)) if key else ()


def parent_key(key: str) -> str:
    cut = key.rfind(KEY_SEP)
    return key[:cut] if cut >= 0 else ""
