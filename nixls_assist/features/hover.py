"""Hover: the option under the cursor at the pinned release, or a matching reference note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from nixls_assist.context import FileContext
from nixls_assist.features.option_scope import ScopeIndex, index_for
from nixls_assist.features.secret_hover import secret_hover_text
from nixls_assist.features.skill_references import ReferenceLibrary, Section
from nixls_assist.findings import Span
from nixls_assist.rules import ALL_RULES
from nixls_assist.rules.base import Rule
from nixls_assist.syntax.bindings import OptionBinding, module_bindings
from nixls_assist.syntax.document import ParsedDocument

MAX_TEXT = 1500


@dataclass(frozen=True)
class HoverResult:
    markdown: str
    span: Span | None


def hover_at(doc: ParsedDocument, ctx: FileContext, indexes: Any, offset: int,
             references: ReferenceLibrary | None = None) -> HoverResult | None:
    hit = binding_at(doc, ctx, offset)
    if hit is not None:
        binding, upto = hit
        segments = binding.segments[: upto + 1]
        path = tuple(s.label for s in segments)
        span = segments[upto].span
        parts = []
        secret = secret_hover_text(doc, ctx, binding, upto)
        if secret is not None:
            parts.append(secret)
        scoped = index_for(ctx, indexes, binding.scope.system)
        if scoped is not None:
            parts += _option_text(path, binding.path, scoped)
        parts += [_risk_text(rule) for rule in ALL_RULES if rule.concerns(path)]
        section = references.for_option(path) if references else None
        if section is not None:
            parts.append(_section_text(section))
        elif parts and references:
            keyword = references.for_keyword(path[-1])
            parts += [_section_text(keyword)] if keyword else []
        if parts:
            return HoverResult("\n\n---\n\n".join(parts), span)
    word = _word_at(doc, offset)
    if word is not None and references is not None:
        section = references.for_keyword(doc.node_text(word))
        if section is not None:
            return HoverResult(_section_text(section), Span(word.start_byte, word.end_byte))
    return None


def binding_at(doc: ParsedDocument, ctx: FileContext,
               offset: int) -> tuple[OptionBinding, int] | None:
    """The option binding whose own attrpath holds `offset`, and the segment's position."""
    for binding in module_bindings(doc, file_is_module=ctx.kind.is_module):
        own = binding.own_span
        if not own.start <= offset <= own.end:
            continue
        for i in range(binding.own_from, len(binding.segments)):
            if binding.segments[i].span.contains(offset):
                return binding, i
    return None


def _option_text(path: tuple[str, ...], full: tuple[str, ...],
                 scoped: ScopeIndex) -> list[str]:
    from option_index.model import Lookup

    index, dotted = scoped.index, ".".join(path)
    outcome, option = index.lookup(path)
    head = f"**`{dotted}`** · {scoped.system} {scoped.pin.label}"
    lines: list[str] = []
    if outcome is Lookup.FOUND and option is not None:
        if option.path != dotted:
            lines.append(f"Option `{option.path}`")
        lines.append(f"*Type:* `{option.type}`" + (" · **read-only**" if option.read_only else ""))
        if option.default is not None:
            lines.append(f"*Default:* {_code(option.default)}")
        if option.example is not None:
            lines.append(f"*Example:* {_code(option.example)}")
        if option.description:
            lines.append(_clip(option.description))
        if option.declarations:
            lines.append("*Declared in:* " + ", ".join(f"`{d}`" for d in option.declarations[:3]))
    elif outcome is Lookup.PREFIX:
        count = len(index.children(path))
        lines.append(f"An attribute set of options ({count} below it)")
    elif outcome is Lookup.UNDER_FREEFORM:
        lines.append("Free-form settings: any attribute is accepted here")
    record = index.drift(path)
    if record is None and full != path:
        record = index.drift(full)  # `hardware.opengl` in `hardware.opengl.enable = …`
    if record is not None:
        lines.append(_drift_text(record, scoped))
    if not lines:
        return []
    lines.append(f"*Index:* {index.source} · *pin:* {scoped.pin.reason}")
    return ["\n\n".join([head, *lines])]


def _drift_text(record: Any, scoped: ScopeIndex) -> str:
    when = record.release if not record.release_window else f"{record.release} or earlier"
    pinned = f"(you are pinned to {scoped.system} {scoped.pin.label})"
    old = f"`{record.from_path}`"
    if record.kind == "renamed" and record.to_path:
        text = f"⚠ {old} was **renamed** to `{record.to_path}` in {when} {pinned}"
    elif record.kind == "removed":
        text = f"⚠ {old} was **removed** in {when} {pinned}"
    else:
        target = f" → `{record.to_path}`" if record.to_path else ""
        text = f"⚠ {old}: **{record.kind}**{target} in {when} {pinned}"
    return f"{text}\n\n{_clip(record.message)}" if record.message else text


def _risk_text(rule: Rule) -> str:
    """The first paragraph of the rule's "Why is this bad?": the risk the option carries."""
    why = rule.documentation.partition("## Why is this bad?")[2].strip()
    paragraph = " ".join(why.split("\n\n", 1)[0].split()) if why else rule.summary
    return (f"**Risk** ({rule.code}, `nixls-assist explain {rule.code}`): "
            f"{_clip(paragraph, 400)}")


def _section_text(section: Section) -> str:
    body = _clip(section.body, MAX_TEXT)
    return f"**{section.title}** — from `{section.source.name}`\n\n{body}"


def _word_at(doc: ParsedDocument, offset: int) -> Node | None:
    node = doc.root.named_descendant_for_byte_range(offset, offset)
    if node is None or node.type != "identifier":
        return None
    return node


def _code(text: str) -> str:
    return f"\n```nix\n{text}\n```" if "\n" in text else f"`{text}`"


def _clip(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
