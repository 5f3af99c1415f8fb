"""The one place where nixls-assist values become lsprotocol types and back.

Spans are byte offsets; LSP positions are (line, UTF-16 unit). Every conversion goes
through the document's `LineIndex`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from nixls_assist.analysis import RULES_BY_CODE, LineIndex, ParsedDocument, Tag, TextChange
from nixls_assist.findings import Applicability, Edit, Finding, Fix, Severity, Span

SOURCE = "nixls-assist"
DOCS_URL = "https://github.com/nixls-assist/nixls-assist/blob/main/docs/codes.md"

# A rule's editor tags (`Rule.tags`): deprecated is struck through, unnecessary faded out.
_TAG = {
    Tag.DEPRECATED: types.DiagnosticTag.Deprecated,
    Tag.UNNECESSARY: types.DiagnosticTag.Unnecessary,
}

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_lsp_position(lines: LineIndex, offset: int) -> types.Position:
    line, character = lines.position(offset)
    return types.Position(line=line, character=character)


def to_lsp_range(lines: LineIndex, span: Span) -> types.Range:
    return types.Range(start=to_lsp_position(lines, span.start),
                       end=to_lsp_position(lines, span.end))


def from_lsp_position(lines: LineIndex, position: types.Position) -> int:
    return lines.offset(position.line, position.character)


def from_lsp_range(lines: LineIndex, range_: types.Range) -> Span:
    return Span(from_lsp_position(lines, range_.start), from_lsp_position(lines, range_.end))


def from_lsp_changes(
    source: bytes, changes: list[types.TextDocumentContentChangeEvent],
    lines: LineIndex | None = None,
) -> tuple[list[TextChange], bytes] | str:
    """Incremental changes as byte `TextChange`s (each against the text after the previous
    one) plus the final source; a full-text change returns the new text instead. `lines`:
    the index of `source`, when the caller has it."""
    out: list[TextChange] = []
    for number, change in enumerate(changes):
        if isinstance(change, types.TextDocumentContentChangeWholeDocument):
            return _full_text_after(source, changes, change)
        if number or lines is None:
            lines = LineIndex(source)
        span = from_lsp_range(lines, change.range)
        out.append(TextChange(span.start, span.end, change.text))
        source = source[: span.start] + change.text.encode("utf-8") + source[span.end :]
    return out, source


def _full_text_after(source: bytes, changes: list[Any], whole: Any) -> str:
    # A whole-document change resets the text; later incremental ones apply to it.
    text = whole.text.encode("utf-8")
    after = changes[changes.index(whole) + 1 :]
    result = from_lsp_changes(text, after) if after else (None, text)
    if isinstance(result, str):
        return result
    return result[1].decode("utf-8", errors="surrogateescape")


def code_description(code: str) -> types.CodeDescription:
    return types.CodeDescription(href=f"{DOCS_URL}#{code.lower()}")


def to_lsp_diagnostic(doc: ParsedDocument, uri: str, finding: Finding) -> types.Diagnostic:
    rule = RULES_BY_CODE.get(finding.code)
    tags = sorted((_TAG[tag] for tag in rule.tags), key=lambda t: t.value) if rule else []
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=to_lsp_range(doc.lines, span)), message=text)
        for span, text in finding.related
    ]
    return types.Diagnostic(
        range=to_lsp_range(doc.lines, finding.span),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=code_description(finding.code),
        source=SOURCE,
        tags=tags or None,
        related_information=related or None,
        data=fixes_to_data(doc, finding.fixes) if finding.fixes else None,
    )


# -- fixes travel in Diagnostic.data, already in LSP positions -------------------------------

def fixes_to_data(doc: ParsedDocument, fixes: tuple[Fix, ...]) -> dict[str, Any]:
    """Fixes as plain JSON for `Diagnostic.data`, so codeAction never re-runs the rules.

    Edits in this document carry LSP ranges; edits in another file (`Edit.file`) carry byte
    offsets, converted when the action is built (that file is read then)."""
    return {"fixes": [
        {"title": fix.title, "applicability": fix.applicability.value,
         "edits": [_edit_to_data(doc, edit) for edit in fix.edits]}
        for fix in fixes
    ]}


def _edit_to_data(doc: ParsedDocument, edit: Edit) -> dict[str, Any]:
    if edit.file is not None:
        return {"file": edit.file, "start": edit.span.start, "end": edit.span.end,
                "newText": edit.new_text}
    r = to_lsp_range(doc.lines, edit.span)
    return {"range": [r.start.line, r.start.character, r.end.line, r.end.character],
            "newText": edit.new_text}


def fixes_from_data(doc: ParsedDocument, data: Any) -> list[Fix]:
    """Inverse of `fixes_to_data` against the current text; [] for foreign or stale data."""
    if not isinstance(data, dict) or not isinstance(data.get("fixes"), list):
        return []
    fixes = []
    try:
        for item in data["fixes"]:
            edits = []
            for e in item["edits"]:
                if "file" in e:
                    edits.append(Edit(Span(int(e["start"]), int(e["end"])), str(e["newText"]),
                                      str(e["file"])))
                else:
                    sl, sc, el, ec = (int(v) for v in e["range"])
                    span = Span(doc.lines.offset(sl, sc), doc.lines.offset(el, ec))
                    edits.append(Edit(span, str(e["newText"])))
            fixes.append(Fix(str(item["title"]), tuple(edits),
                             Applicability(item.get("applicability", "safe"))))
    except (KeyError, TypeError, ValueError):
        return []
    return fixes


def to_lsp_text_edit(lines: LineIndex, edit: Edit) -> types.TextEdit:
    return types.TextEdit(range=to_lsp_range(lines, edit.span), new_text=edit.new_text)


def finding_from_diagnostic(doc: ParsedDocument, diagnostic: types.Diagnostic) -> Finding | None:
    """The finding behind one of our diagnostics, fixes from its `data`; None if not ours."""
    if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
        return None
    severity = next((s for s, d in _SEVERITY.items() if d == diagnostic.severity),
                    Severity.WARNING)
    return Finding(code=diagnostic.code, severity=severity,
                   span=from_lsp_range(doc.lines, diagnostic.range),
                   message=diagnostic.message,
                   fixes=tuple(fixes_from_data(doc, diagnostic.data)))


def to_lsp_code_action(entry: Any, action: Any,
                       lines_for: Callable[[Path], LineIndex | None]) -> types.CodeAction:
    """An `features.code_actions.Action` as a code action with a WorkspaceEdit; edits in
    other files (`Edit.file`, relative to the document's directory) go under their URI."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in action.edits:
        if edit.file is None:
            uri, lines = entry.uri, entry.doc.lines
        else:
            path = Path(edit.file)
            if not path.is_absolute() and entry.path is not None:
                path = entry.path.parent / path
            lines = lines_for(path)
            if lines is None:
                continue
            uri = path.resolve().as_uri()
        changes.setdefault(uri, []).append(to_lsp_text_edit(lines, edit))
    diagnostics = None
    if action.finding is not None:
        finding = action.finding
        diagnostics = [types.Diagnostic(range=to_lsp_range(entry.doc.lines, finding.span),
                                        message=finding.message, code=finding.code,
                                        source=SOURCE, severity=_SEVERITY[finding.severity])]
    return types.CodeAction(title=action.title, kind=action.kind,
                            edit=types.WorkspaceEdit(changes=changes),
                            is_preferred=action.preferred or None, diagnostics=diagnostics)


def to_lsp_hover(doc: ParsedDocument, result: Any) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=result.markdown),
        range=to_lsp_range(doc.lines, result.span) if result.span is not None else None)


_ITEM_KIND = {"option": types.CompletionItemKind.Property,
              "namespace": types.CompletionItemKind.Module}


def to_lsp_completion(doc: ParsedDocument, result: Any) -> types.CompletionList:
    replace = to_lsp_range(doc.lines, result.replace)
    items = []
    for item in result.items:
        snippet = item.snippet is not None
        items.append(types.CompletionItem(
            label=item.label,
            kind=_ITEM_KIND.get(item.kind, types.CompletionItemKind.Property),
            detail=item.detail,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                              value=item.documentation)
            if item.documentation else None,
            sort_text=item.sort_text,
            filter_text=item.label,
            text_edit=types.TextEdit(range=replace,
                                     new_text=item.snippet if snippet else item.label),
            insert_text_format=types.InsertTextFormat.Snippet if snippet
            else types.InsertTextFormat.PlainText,
        ))
    return types.CompletionList(is_incomplete=result.incomplete, items=items)


# -- navigation ---------------------------------------------------------------------------------

_SYMBOL_KIND = {"namespace": types.SymbolKind.Namespace, "option": types.SymbolKind.Property,
                "variable": types.SymbolKind.Variable, "field": types.SymbolKind.Field}


def to_lsp_document_symbol(lines: LineIndex, symbol: Any) -> types.DocumentSymbol:
    """A `features.symbols.Symbol` (and its children)."""
    return types.DocumentSymbol(
        name=symbol.name or "?", kind=_SYMBOL_KIND[symbol.kind.value], detail=symbol.detail,
        range=to_lsp_range(lines, symbol.span),
        selection_range=to_lsp_range(lines, symbol.selection),
        children=[to_lsp_document_symbol(lines, c) for c in symbol.children] or None)


def from_custom_position_params(params: Any) -> types.TextDocumentPositionParams:
    """The params of a request lsprotocol does not know (`experimental/parentModule`):
    pygls hands them over as named tuples of the JSON."""
    if isinstance(params, types.TextDocumentPositionParams):
        return params
    document, position = params.textDocument, params.position
    return types.TextDocumentPositionParams(
        text_document=types.TextDocumentIdentifier(uri=document.uri),
        position=types.Position(line=position.line, character=position.character))


def to_lsp_location(path: Path, lines: LineIndex, span: Span) -> types.Location:
    return types.Location(uri=path.as_uri(), range=to_lsp_range(lines, span))


def to_lsp_line_location(path: Path, line: int) -> types.Location:
    """The start of a line of a file not open in the editor (an option's declaration)."""
    start = types.Position(line=line, character=0)
    return types.Location(uri=path.as_uri(), range=types.Range(start=start, end=start))


def to_lsp_folding_range(fold: Any) -> types.FoldingRange:
    """A `features.structure.Fold`: whole lines."""
    kind = (types.FoldingRangeKind.Comment if fold.kind.value == "comment"
            else types.FoldingRangeKind.Region)
    return types.FoldingRange(start_line=fold.start_line, end_line=fold.end_line, kind=kind)


def to_lsp_selection_range(lines: LineIndex, chain: list[Span]) -> types.SelectionRange:
    """Spans innermost first → the nested `SelectionRange` (each with its parent)."""
    result: types.SelectionRange | None = None
    for span in reversed(chain):
        result = types.SelectionRange(range=to_lsp_range(lines, span), parent=result)
    assert result is not None
    return result


def to_lsp_workspace_symbol(symbol: Any) -> types.WorkspaceSymbol:
    """A `features.definitions.OptionSymbol`: a defined option path, where it is set; or a
    `ConfigurationSymbol`: a configuration, where flake.nix names it."""
    if hasattr(symbol, "kind"):
        return types.WorkspaceSymbol(
            name=symbol.option, kind=types.SymbolKind.Module,
            location=to_lsp_location(symbol.file, symbol.doc.lines, symbol.span),
            container_name=symbol.kind)
    return types.WorkspaceSymbol(
        name=symbol.option, kind=types.SymbolKind.Property,
        location=to_lsp_location(symbol.file, symbol.doc.lines, symbol.span),
        container_name=symbol.system)


def to_lsp_workspace_edit(edits: dict[Path, Any]) -> types.WorkspaceEdit:
    """Edits per file, each against that file's text (`(document, [Edit])`)."""
    return types.WorkspaceEdit(changes={
        path.as_uri(): [to_lsp_text_edit(doc.lines, e) for e in file_edits]
        for path, (doc, file_edits) in edits.items()})


def to_lsp_batch_edit(edits: dict[Path, tuple[bytes, Edit]]) -> types.WorkspaceEdit:
    """One edit per file against the bytes it was computed from (the upgrade's batch)."""
    return types.WorkspaceEdit(changes={
        path.as_uri(): [to_lsp_text_edit(LineIndex(original), edit)]
        for path, (original, edit) in sorted(edits.items())})
