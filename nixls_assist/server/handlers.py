"""One function per LSP method: get the document, call the engine or a feature, convert back.

Every function runs inside `app.guarded_call`, so an exception becomes a log entry and an
empty answer, never a dead server.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from nixls_assist.features import code_actions as actions
from nixls_assist.findings import Finding
from nixls_assist.server import convert
from nixls_assist.server.documents import uri_to_path
from nixls_assist.server.settings import SECTION, parse_settings
from nixls_assist.syntax.document import release_retired

if TYPE_CHECKING:
    from nixls_assist.server.app import NixlsServer

CODE_ACTION_KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll,
                     actions.FIX_ALL]
WATCHED = ("**/flake.lock", "**/flake.nix", "**/.nixls-assist.toml")


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
        for entry in server.session.documents:
            server.schedule_diagnostics(entry.uri, immediate=True)


def _use_settings(server: NixlsServer, raw: Any, where: str) -> bool:
    settings, problem = parse_settings(raw, server.session.settings)
    if problem is not None:
        server.show_once(f"nixls-assist: {where}: {problem}; using the defaults for now")
    return server.session.apply_settings(settings)


async def did_change_configuration(server: NixlsServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
    if pushed is not None and _use_settings(server, pushed, SECTION):
        for entry in server.session.documents:
            server.schedule_diagnostics(entry.uri, immediate=True)
    await _pull_configuration(server)


def did_change_watched_files(server: NixlsServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    if any(c.uri.endswith(("/flake.lock", "/flake.nix", "/.nixls-assist.toml"))
           for c in params.changes):
        server.session.invalidate_contexts()
        for entry in server.session.documents:
            server.schedule_diagnostics(entry.uri, immediate=True)


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
    server.session.documents.open(params.text_document)
    server.schedule_diagnostics(params.text_document.uri, immediate=True)


def did_change(server: NixlsServer, params: types.DidChangeTextDocumentParams) -> None:
    if server.session.documents.change(params) is not None:
        server.schedule_diagnostics(params.text_document.uri)


def did_save(server: NixlsServer, params: types.DidSaveTextDocumentParams) -> None:
    server.schedule_diagnostics(params.text_document.uri, immediate=True)


def did_close(server: NixlsServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    server.cancel_diagnostics(uri)
    server.session.documents.close(uri)
    server.session.forget(uri)
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def publish_diagnostics(server: NixlsServer, uri: str) -> None:
    from nixls_assist.rules.engine import check_steps, finish

    entry = server.session.documents.get(uri)
    if entry is None:
        return
    version, doc = entry.version, entry.doc
    setup = server.session.setup_for(entry.path)
    if entry.path is not None and not setup.resolver.is_prepared(entry.path):
        await server.with_progress("Reading the workspace's modules",
                                   lambda: setup.resolver.prepare(entry.path))
        if _stale(server, uri, version):
            return
    ctx = server.session.context_of(entry)
    await _warm_indexes(server, ctx)
    indexes = server.session.indexes
    found: list[Finding] = []
    if not setup.excluded:
        for part in check_steps(doc, ctx, indexes, setup.selection):
            found += part
            # Between rules: answer other requests (a large file never blocks hover) and
            # give up when a newer version arrived; its own run publishes.
            await asyncio.sleep(0)
            if _stale(server, uri, version):
                return
    findings = finish(doc, ctx, indexes, setup.selection, found)
    server.flush_notices()
    if _stale(server, uri, version):
        return
    server.session.published[uri] = (version, findings)
    server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, version=version,
        diagnostics=[convert.to_lsp_diagnostic(doc, uri, f) for f in findings]))
    release_retired()  # old versions are freed after the answer, not before it


def _stale(server: NixlsServer, uri: str, version: int) -> bool:
    current = server.session.documents.get(uri)
    return current is None or current.version != version


async def _warm_indexes(server: NixlsServer, ctx: Any) -> None:
    """Open the indexes this file needs, off the event loop and with progress, once."""
    provider, warmed = server.session.indexes, server.session.warmed
    for system, pin in (("nixos", ctx.nixos), ("home-manager", ctx.home_manager)):
        if pin is None or (key := (system, provider.effective_release(system, pin))) in warmed:
            continue
        await server.with_progress(f"Opening the {system} {key[1]} option index",
                                   lambda s=system, p=pin: provider.get(s, p))
        warmed.add(key)


# -- code actions ---------------------------------------------------------------------------

def code_action(server: NixlsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    entry = server.session.documents.get(params.text_document.uri)
    if entry is None:
        return []
    only = params.context.only
    found: list[actions.Action] = []
    requested = [f for d in params.context.diagnostics
                 if (f := convert.finding_from_diagnostic(entry.doc, d)) is not None]
    if _wanted(only, actions.QUICKFIX):
        for finding in requested:
            found += actions.quick_fixes(finding)
            found += filter(None, [actions.ignore_here(entry.doc, finding)])
        offset = entry.doc.lines.offset(params.range.start.line, params.range.start.character)
        found += actions.declare_actions(
            entry.doc, server.session.context_of(entry), requested, offset,
            lambda: server.session.workspace_files_for(entry),
            server.session.imperative_packages)
    published = server.session.published.get(entry.uri)
    if _wanted(only, actions.FIX_ALL) and published and published[0] == entry.version:
        found += filter(None, [actions.fix_all(published[1])])
    return [convert.to_lsp_code_action(entry, a, server.session.lines_for) for a in found]


def _wanted(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


# -- hover and completion -------------------------------------------------------------------

def hover(server: NixlsServer, params: types.HoverParams) -> types.Hover | None:
    from nixls_assist.features.hover import hover_at

    entry = server.session.documents.get(params.text_document.uri)
    if entry is None:
        return None
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    ctx = server.session.context_of(entry)
    result = hover_at(entry.doc, ctx, server.session.indexes, offset,
                      server.session.references_for(entry.path))
    server.flush_notices()
    return convert.to_lsp_hover(entry.doc, result) if result else None


def completion(server: NixlsServer, params: types.CompletionParams) -> types.CompletionList | None:
    from nixls_assist.features.completion import complete_at

    entry = server.session.documents.get(params.text_document.uri)
    if entry is None:
        return None
    offset = convert.from_lsp_position(entry.doc.lines, params.position)
    ctx = server.session.context_of(entry)
    result = complete_at(entry.doc, ctx, server.session.indexes, offset,
                         server.session.settings.completion_limit)
    server.flush_notices()
    if result is None:
        return types.CompletionList(is_incomplete=False, items=[])
    return convert.to_lsp_completion(entry.doc, result)
