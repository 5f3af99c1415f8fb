"""What option path is being written at a cursor, even in an unfinished binding.

`services.openssh.ena|` does not parse as a binding yet, so the question is asked of a
repaired copy: the word under the cursor is replaced by a marker and, when the binding has
no `=` yet, ` = null;` is added. The repaired text goes through `module_bindings` like any
file, so everything it knows (nested attrsets, `config = …`, `mkIf`/`mkMerge`,
`home-manager.users.<name>`, `let`/function arguments that are not options) applies here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nixls_assist.findings import Span
from nixls_assist.syntax.bindings import ModuleScope, Segment, module_bindings
from nixls_assist.syntax.document import ParsedDocument, TextChange

MARKER = "__nixls_cursor__"
_WORD = re.compile(rb"[A-Za-z0-9_'-]")
_SPACE = b" \t"


@dataclass(frozen=True)
class AttrpathAtCursor:
    prefix: tuple[Segment, ...]  # the full option path before the segment being written
    partial: str  # what is typed of that segment so far
    replace: Span  # the word a completion replaces
    scope: ModuleScope
    has_value: bool  # an `=` or a `.` already follows the word


def attrpath_at(doc: ParsedDocument, offset: int, *, file_is_module: bool
                ) -> AttrpathAtCursor | None:
    """The option path prefix at `offset`, or None where no option definition is written
    (values, `let` bindings, function arguments, strings, comments)."""
    source = doc.source
    if not 0 <= offset <= len(source):
        return None
    start = offset
    while start > 0 and _WORD.match(source[start - 1 : start]):
        start -= 1
    end = offset
    while end < len(source) and _WORD.match(source[end : end + 1]):
        end += 1
    if start < len(source) and source[start : start + 1].isdigit():
        return None  # a number, not a name
    following = source[end:].lstrip(_SPACE)[:1]
    has_value = following in (b"=", b".")
    partial = source[start:offset].decode("utf-8", errors="replace")
    filler = MARKER if has_value else f"{MARKER} = null;"
    repaired = doc.apply([TextChange(offset, end, filler)], scratch=True)
    for binding in module_bindings(repaired, file_is_module=file_is_module):
        for i in range(binding.own_from, len(binding.segments)):
            segment = binding.segments[i]
            if segment.name is not None and segment.name.endswith(MARKER) \
                    and segment.span.start == start and not segment.quoted:
                return AttrpathAtCursor(binding.segments[:i], partial, Span(start, end),
                                        binding.scope, has_value)
    return None
