"""Completion of option paths at the cursor, from the pinned release's index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nixls_assist.context import FileContext
from nixls_assist.features.option_scope import index_for
from nixls_assist.findings import Span
from nixls_assist.syntax.cursor import attrpath_at
from nixls_assist.syntax.document import ParsedDocument

SHORT_DOC = 300


@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # "option" or "namespace"
    detail: str | None
    documentation: str | None
    sort_text: str
    snippet: str | None = None  # e.g. `enable = ${1:true};` for a boolean


@dataclass(frozen=True)
class Completions:
    items: list[Item]
    incomplete: bool
    replace: Span


def complete_at(doc: ParsedDocument, ctx: FileContext, indexes: Any, offset: int,
                limit: int = 200) -> Completions | None:
    at = attrpath_at(doc, offset, file_is_module=ctx.kind.is_module)
    if at is None:
        return None
    scoped = index_for(ctx, indexes, at.scope.system)
    if scoped is None:
        return None
    prefix = tuple(s.label for s in at.prefix)
    wanted = at.partial.lower()
    candidates = []
    for name, option in scoped.index.children(prefix):
        if name.startswith("<") or name == "*":
            continue  # `<name>` placeholders: the user chooses the name
        lowered = name.lower()
        if lowered.startswith(wanted):
            rank = 0
        elif wanted and wanted in lowered:
            rank = 1
        else:
            continue
        candidates.append((rank, lowered, name, option))
    candidates.sort(key=lambda c: (c[0], c[1]))
    items = [_item(name, option, rank, at.has_value)
             for rank, _, name, option in candidates[:limit]]
    return Completions(items, len(candidates) > limit, at.replace)


def _item(name: str, option: Any, rank: int, has_value: bool) -> Item:
    label = name
    if option is None or option.submodule:
        return Item(label, "namespace", "option set" if option is None else option.type,
                    _doc(option) if option is not None else None, f"{rank}{name.lower()}")
    snippet = None
    if option.type == "boolean" and not has_value and not option.read_only:
        snippet = f"{name} = ${{1:true}};"
    return Item(label, "option", option.type, _doc(option), f"{rank}{name.lower()}", snippet)


def _doc(option: Any) -> str | None:
    parts = []
    if option.description:
        text = option.description.strip()
        parts.append(text if len(text) <= SHORT_DOC else text[:SHORT_DOC].rsplit(" ", 1)[0] + " …")
    if option.default is not None:
        parts.append(f"Default: `{option.default}`" if "\n" not in option.default
                     else "Default: see hover")
    if option.read_only:
        parts.append("Read-only")
    return "\n\n".join(parts) or None
