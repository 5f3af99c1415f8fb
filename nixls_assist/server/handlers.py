"""One function per LSP method: get the document, ask the workspace, convert back.

Every function runs inside `app.guarded_call`, so an exception becomes a log entry and an
empty answer, never a dead server.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from nixls_assist.analysis import (
    FIX_ALL,
    QUICKFIX,
    batch_edits,
    membership_message,
    membership_title,
    normalise_release,
    release_forms,
    release_retired,
    releases_after,
    report_json,
    report_markdown,
    upgrade_workspace,
    uri_to_path,
)
from nixls_assist.server import convert
from nixls_assist.server.settings import SECTION, parse_settings

if TYPE_CHECKING:
    from nixls_assist.server.app import NixlsServer

CODE_ACTION_KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll,
                     FIX_ALL]
WATCHED = ("**/flake.lock", "**/flake.nix", "**/.nixls-assist.toml", "**/*.nix")
SHOW_CONFIGURATIONS = "nixls-assist.showConfigurations"
PREVIEW_UPGRADE = "nixls-assist.previewUpgrade"


# -- lifecycle and settings -----------------------------------------------------------------

def initialize(server: NixlsServer, params: types.InitializeParams) -> None:
    folders = params.workspace_folders or []
    roots = [uri_to_path(f.uri) for f in folders] or [uri_to_path(params.root_uri or "")]
    server.session.roots = [r for r in roots if r is not None]
    raw = params.initialization_options
    if isinstance(raw, dict) and isinstance(raw.get(SECTION), dict):
        raw = raw[SECTION]  # also accept {"nixls-assist": {…}}
    _use_settings(server, raw, "initializationOptions")


async def initialized(server: NixlsServer, params: types.InitializedParams) -> None:
    loop = asyncio.get_running_loop()
    server.session.on_index_ready = lambda _label: loop.call_soon_threadsafe(
        server.recheck_open_documents)
    caps = server.client_capabilities.workspace
    watch = caps.did_change_watched_files if caps else None
    if watch is not None and watch.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCHED])
        registration = types.Registration(
            id="nixls-assist/watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options)
        try:
            await server.client_register_capability_async(
                types.RegistrationParams(registrations=[registration]))
        except JsonRpcException as exc:  # flake.lock edits then need a server restart
            server.log(f"could not watch flake.lock / flake.nix: {exc}")
    await _pull_configuration(server)


async def _pull_configuration(server: NixlsServer) -> None:
    caps = server.client_capabilities.workspace
    if not (caps and caps.configuration):
        return
    result = await server.workspace_configuration_async(
        types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]))
    if result and result[0] is not None and _use_settings(server, result[0], SECTION):
        server.schedule_all_diagnostics()


def _use_settings(server: NixlsServer, raw: Any, where: str) -> bool:
    settings, problem = parse_settings(raw, server.session.settings)
    if problem is not None:
        server.show_once(f"nixls-assist: {where}: {problem}; using the defaults for now")
    return server.session.apply_settings(settings)


async def did_change_configuration(server: NixlsServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
    if pushed is not None and _use_settings(server, pushed, SECTION):
        server.schedule_all_diagnostics()
    await _pull_configuration(server)


def did_change_watched_files(server: NixlsServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    workspace = server.session.workspace
    if any(c.uri.endswith(("/flake.lock", "/flake.nix", "/.nixls-assist.toml"))
           for c in params.changes):
        workspace.invalidate_contexts()
    elif any(c.uri.endswith(".nix") and c.type != types.FileChangeType.Changed
             for c in params.changes):
        workspace.invalidate_structure()  # a module file created or deleted
    else:
        return
    server.schedule_all_diagnostics()


def did_change_workspace_folders(server: NixlsServer,
                                 params: types.DidChangeWorkspaceFoldersParams) -> None:
    roots = set(server.session.roots)
    roots -= {uri_to_path(f.uri) for f in params.event.removed}
    roots |= {p for f in params.event.added if (p := uri_to_path(f.uri)) is not None}
    server.session.roots = sorted(r for r in roots if r is not None)


# -- documents and diagnostics --------------------------------------------------------------

def shutdown(server: NixlsServer, params: None) -> None:
    server.session.close()


def did_open(server: NixlsServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    server.session.workspace.documents.open(item.uri, item.version, item.text)
    server.schedule_diagnostics(item.uri, immediate=True)


def did_change(server: NixlsServer, params: types.DidChangeTextDocumentParams) -> None:
    documents = server.session.workspace.documents
    entry = documents.get(params.text_document.uri)
    if entry is None:
        return
    lines = entry.doc.lines if entry.raw is None else None  # already built
    change = convert.from_lsp_changes(entry.text, list(params.content_changes), lines)
    documents.change(entry.uri, params.text_document.version, change)
    server.schedule_diagnostics(entry.uri)


def did_save(server: NixlsServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    workspace = server.session.workspace
    if uri.endswith(".nix") and not uri.endswith("/flake.nix"):
        # Its `imports` may have changed: the fleet graph (file kinds, configurations) is
        # built again off the event loop, and every open document is checked again.
        workspace.invalidate_structure()
        server.schedule_all_diagnostics()
        return
    server.schedule_diagnostics(uri, immediate=True)


def did_close(server: NixlsServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    server.cancel_diagnostics(uri)
    server.session.workspace.close_document(uri)
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def publish_diagnostics(server: NixlsServer, uri: str) -> None:
    workspace = server.session.workspace
    entry = workspace.documents.get(uri)
    if entry is None:
        return
    version = entry.version
    for step in workspace.slow_steps(uri):  # off the event loop, with progress
        await server.with_progress(step.title, step.run)
        if _stale(server, uri, version):
            return
    answer = None
    for answer in workspace.diagnose(uri):
        if answer is None:
            # Between rules: answer other requests (a large file never blocks hover) and
            # give up when a newer version arrived; its own run publishes.
            await asyncio.sleep(0)
            if _stale(server, uri, version):
                return
    if answer is None:
        return
    server.show_notices(answer.notices)
    if _stale(server, uri, version):
        return
    server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, version=version,
        diagnostics=[convert.to_lsp_diagnostic(entry.doc, uri, f) for f in answer.value]))
    release_retired()  # old versions are freed after the answer, not before it


def _stale(server: NixlsServer, uri: str, version: int) -> bool:
    current = server.session.workspace.documents.get(uri)
    return current is None or current.version != version


# -- code actions ---------------------------------------------------------------------------

def code_action(server: NixlsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    only = params.context.only
    requested = [f for d in params.context.diagnostics
                 if (f := convert.finding_from_diagnostic(entry.doc, d)) is not None]
    offset = convert.from_lsp_position(entry.doc.lines, params.range.start)
    answer = workspace.code_actions(entry, offset, requested, quickfix=_wanted(only, QUICKFIX),
                                    fix_all=_wanted(only, FIX_ALL))
    server.show_notices(answer.notices)
    return [convert.to_lsp_code_action(entry, a, workspace.lines_for) for a in answer.value]


def _wanted(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


# -- hover and completion -------------------------------------------------------------------

def hover(server: NixlsServer, params: types.HoverParams) -> types.Hover | None:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return None
    answer = workspace.hover(entry, convert.from_lsp_position(entry.doc.lines, params.position))
    server.show_notices(answer.notices)
    return convert.to_lsp_hover(entry.doc, answer.value) if answer.value else None


def completion(server: NixlsServer, params: types.CompletionParams) -> types.CompletionList | None:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return None
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    answer = workspace.completion(entry, offset, server.session.settings.completion_limit)
    server.show_notices(answer.notices)
    if answer.value is None:
        return types.CompletionList(is_incomplete=False, items=[])
    return convert.to_lsp_completion(entry.doc, answer.value)


# -- navigation: outline, references, symbols, declarations, rename, formatting --------------

def document_symbol(server: NixlsServer,
                    params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    answer = workspace.navigation.document_symbols(entry)
    server.show_notices(answer.notices)
    return [convert.to_lsp_document_symbol(entry.doc.lines, s) for s in answer.value]


def folding_range(server: NixlsServer,
                  params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    return [convert.to_lsp_folding_range(f) for f in workspace.navigation.folding_ranges(entry)]


def selection_range(server: NixlsServer,
                    params: types.SelectionRangeParams) -> list[types.SelectionRange]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    offsets = [convert.from_lsp_position(entry.doc.lines, p) for p in params.positions]
    chains = workspace.navigation.selection_ranges(entry, offsets)
    return [convert.to_lsp_selection_range(entry.doc.lines, chain) for chain in chains]


def references(server: NixlsServer, params: types.ReferenceParams) -> list[types.Location]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    answer = workspace.navigation.references(entry, offset)
    server.show_notices(answer.notices)
    return [convert.to_lsp_location(d.file, d.doc.lines, d.span) for d in answer.value]


PARENT_MODULE = "experimental/parentModule"


def parent_module(server: NixlsServer, params: Any) -> list[types.Location] | None:
    """`experimental/parentModule` (as in nil): the expressions that import this file as a
    module; null when none does."""
    position = convert.from_custom_position_params(params)
    workspace = server.session.workspace
    entry = workspace.documents.get(position.text_document.uri)
    if entry is None:
        return None
    answer = workspace.navigation.parent_modules(entry)
    server.show_notices(answer.notices)
    return [convert.to_lsp_location(s.file, s.doc.lines, s.span) for s in answer.value] or None


def workspace_symbol(server: NixlsServer,
                     params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    answer = server.session.workspace.navigation.workspace_symbols(params.query)
    server.show_notices(answer.notices)
    return [convert.to_lsp_workspace_symbol(s) for s in answer.value]


def definition(server: NixlsServer, params: types.DefinitionParams) -> list[types.Location]:
    """Go to definition of an option path: where it is declared (as `declaration`)."""
    return declaration(server, params)


def declaration(server: NixlsServer,
                params: types.DeclarationParams | types.DefinitionParams) -> list[types.Location]:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return []
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    answer = workspace.navigation.declaration(entry, offset)
    server.show_notices(answer.notices)
    if not answer.value:
        # LSP has no Location for a file that is not on disk: say where it is instead.
        elsewhere = workspace.navigation.declared_elsewhere(entry, offset)
        if elsewhere is not None:
            server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Info, message=f"nixls-assist: {elsewhere}"))
    return [convert.to_lsp_line_location(d.file, d.line) for d in answer.value]


def prepare_rename(server: NixlsServer,
                   params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder | None:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return None
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    at = workspace.navigation.prepare_rename(entry, offset)
    if at is None:
        return None
    return types.PrepareRenamePlaceholder(range=convert.to_lsp_range(entry.doc.lines, at.span),
                                          placeholder=".".join(at.path))


def rename(server: NixlsServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return None
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    answer = workspace.navigation.rename(entry, offset, params.new_name)
    server.show_notices(answer.notices)
    plan = answer.value
    if plan is None:
        return None
    if plan.skipped:
        first = plan.skipped[0]
        line = first.doc.lines.position(first.span.start)[0] + 1
        _tell(server, f"nixls-assist: cannot rename `{first.option}` in {first.file}:{line}: "
                      "its attribute set holds other options; move it by hand first")
        return None
    return convert.to_lsp_workspace_edit(plan.edits)


def formatting(server: NixlsServer,
               params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    workspace = server.session.workspace
    entry = workspace.documents.get(params.text_document.uri)
    if entry is None:
        return None
    answer = workspace.navigation.format(entry, server.session.settings.formatting_command)
    for notice in answer.notices:
        _tell(server, f"nixls-assist: {notice}")
    if answer.value is None:
        return [] if not answer.notices else None
    return [convert.to_lsp_text_edit(entry.doc.lines, answer.value)]


# -- commands ---------------------------------------------------------------------------------

async def preview_upgrade(server: NixlsServer, arguments: list[Any]) -> Any:
    """"Preview upgrade to …": arguments `[{"to": "25.05", "folder"?: uri, "apply"?: bool}]`
    (or `["25.05"]`). Answers the report (JSON and Markdown) and the batch of safe renames
    and input bumps as a WorkspaceEdit; with `apply`, also asks the editor to apply it.
    Without `to` (`[{"uri"?: uri}]`): the release the document at `uri` is pinned to and the
    releases after it, `{"from": "24.11", "targets": ["25.05", …, "unstable"]}`, for the
    editor's pick list."""
    first = (arguments or [None])[0]
    options = first if isinstance(first, dict) else {"to": first}
    if isinstance(first, dict) and "to" not in first:
        return _upgrade_targets(server, first.get("uri"))
    target = normalise_release(str(options.get("to") or ""))
    if target is None:
        _tell(server, f"nixls-assist: cannot preview an upgrade to {options.get('to')!r}: "
                      f"expected {release_forms()}")
        return None
    folder = options.get("folder")
    root = uri_to_path(folder) if isinstance(folder, str) else (
        server.session.roots[0] if server.session.roots else None)
    if root is None:
        _tell(server, "nixls-assist: open a folder to preview an upgrade")
        return None
    opened = {e.path: e.doc.source for e in server.session.workspace.documents
              if e.path is not None}
    report = await server.with_progress(f"Preview upgrade to {target}",
                                        lambda: upgrade_workspace(root, target, opened))
    edit = convert.to_lsp_batch_edit(batch_edits(report))
    if options.get("apply") and edit.changes:
        await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=edit, label=f"Upgrade to NixOS {target}"))
    return {"report": report_json(report), "markdown": report_markdown(report), "edit": edit}


def _upgrade_targets(server: NixlsServer, uri: Any) -> dict[str, Any]:
    workspace = server.session.workspace
    entry = workspace.documents.get(uri) if isinstance(uri, str) else None
    pin = workspace.context_of(entry).nixos if entry is not None else None
    pinned = pin.release if pin is not None else None
    return {"from": pinned, "targets": releases_after(pinned)}


def _tell(server: NixlsServer, message: str) -> None:
    """A message the user asked for (rename, format): shown every time, not once."""
    server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                       message=message))


# -- the fleet --------------------------------------------------------------------------------

def code_lens(server: NixlsServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    """A lens on the first line of a module file: the configurations that use it. None until
    the diagnostics' first run has read the workspace (the graph is built there, once, off
    the event loop); clients ask again after the diagnostics arrive."""
    workspace = server.session.workspace
    uri = params.text_document.uri
    entry = workspace.documents.get(uri)
    membership = workspace.configurations_of(entry) if entry is not None else None
    if membership is None:
        return []
    start = types.Position(line=0, character=0)
    return [types.CodeLens(
        range=types.Range(start=start, end=start),
        command=types.Command(title=membership_title(membership),
                              command=SHOW_CONFIGURATIONS, arguments=[uri]))]


def show_configurations(server: NixlsServer, arguments: list[Any]) -> Any:
    """`nixls-assist.showConfigurations [uri]`: every configuration that uses the file, shown
    as a message and returned as a list of attributes (`nixosConfigurations.kestrel`)."""
    if not arguments:
        return None
    uri = str(arguments[0])
    workspace = server.session.workspace
    entry = workspace.documents.get(uri)
    membership = workspace.configurations_of(entry) if entry is not None else None
    if entry is None or membership is None:
        server.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Info,
            message="nixls-assist: no configuration of a flake is known to use this file"))
        return []
    display = entry.path.name if entry.path is not None else uri
    server.window_show_message(types.ShowMessageParams(
        type=types.MessageType.Info, message=membership_message(display, membership)))
    return list(membership.configurations)
