"""The language server: `create_server()` builds it, `run_stdio()` runs it on stdio.

Only `server/` imports pygls and lsprotocol; they are imported here, when the server is
started, so `nixls-assist check` never pays for them.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from nixls_assist import __version__
from nixls_assist.server.session import Session

log = logging.getLogger(__name__)


class _Protocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):  # type: ignore[no-untyped-def]
        # Positions are UTF-16 (LSP's default) everywhere in convert.py; never negotiate
        # UTF-8 (Neovim offers it first).
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        result = yield from super().lsp_initialize(params)
        # Requests outside the LSP specification this server answers (as nil names them).
        result.capabilities.experimental = {"parentModule": True}
        return result


class NixlsServer(LanguageServer):
    """pygls' server plus the session state and a few helpers the handlers share."""

    def __init__(self) -> None:
        super().__init__("nixls-assist", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=_Protocol)
        self.session = Session()
        self._shown: set[str] = set()
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._last_edit: dict[str, float] = {}
        self._progress_tokens = 0

    # -- messages ---------------------------------------------------------------------------

    def show_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """A `window/showMessage` per distinct message per session: failures, not a storm."""
        if message in self._shown:
            return
        self._shown.add(message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def show_notices(self, notices: tuple[str, ...]) -> None:
        """The notices that came with a workspace answer, each shown once."""
        for notice in notices:
            self.show_once(f"nixls-assist: {notice}")

    # -- diagnostics scheduling -----------------------------------------------------------

    def schedule_diagnostics(self, uri: str, *, immediate: bool = False) -> None:
        """Debounce per URI: a first edit after a quiet period is checked at once, a burst
        of edits once, `diagnosticsDelayMs` after its last keystroke."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        delay = self.session.settings.diagnostics_delay_ms / 1000
        previous = self._pending.pop(uri, None)
        busy = previous is not None and not previous.done()
        if busy:
            previous.cancel()  # type: ignore[union-attr]
        quiet = now - self._last_edit.get(uri, float("-inf")) >= delay
        self._last_edit[uri] = now
        wait = 0.0 if immediate or (quiet and not busy) else delay
        self._pending[uri] = loop.create_task(self._diagnose_after(uri, wait))

    async def _diagnose_after(self, uri: str, wait: float) -> None:
        await asyncio.sleep(wait)
        from nixls_assist.server.handlers import publish_diagnostics

        await guarded_call(self, "publishDiagnostics", publish_diagnostics, None, uri)

    def recheck_open_documents(self) -> None:
        """A better option index arrived: flush its notice and re-check every open file."""
        self.show_notices(self.session.workspace.take_notices())
        self.schedule_all_diagnostics()

    def schedule_all_diagnostics(self) -> None:
        """Check every open document again at once (settings, structure or an index changed)."""
        for entry in self.session.workspace.documents:
            self.schedule_diagnostics(entry.uri, immediate=True)

    def cancel_diagnostics(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self._last_edit.pop(uri, None)

    # -- progress -------------------------------------------------------------------------

    async def with_progress(self, title: str, work: Callable[[], Any]) -> Any:
        """Run blocking `work` in a thread, reporting `$/progress` when the client can show it."""
        window = self.client_capabilities.window
        if window is None or not window.work_done_progress:
            return await asyncio.to_thread(work)
        self._progress_tokens += 1
        token = f"nixls-assist/{self._progress_tokens}"
        try:
            await self.work_done_progress.create_async(token)
        except Exception:  # a client may refuse the token; do the work anyway
            return await asyncio.to_thread(work)
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title))
        try:
            return await asyncio.to_thread(work)
        finally:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd())


async def guarded_call(server: NixlsServer, method: str, handler: Callable[..., Any],
                       empty: Any, *args: Any) -> Any:
    """Run a handler; an exception is logged and answered with `empty`, never a crash."""
    try:
        result = handler(server, *args)
        if asyncio.iscoroutine(result):
            result = await result
        return result
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # the handler wrapper is the one place allowed to catch all
        server.log(f"{method} failed:\n{traceback.format_exc()}", types.MessageType.Error)
        server.show_once(f"nixls-assist: internal error in {method}: {type(exc).__name__}: "
                         f"{exc} (details in the output log)", types.MessageType.Error)
        return empty


def _register(server: NixlsServer, method: str, handler: Callable[..., Any], empty: Any = None,
              options: Any = None) -> None:
    @functools.wraps(handler)
    async def feature(params: Any) -> Any:
        return await guarded_call(server, method, handler, empty, params)

    server.feature(method, options)(feature)


def _register_command(server: NixlsServer, name: str, handler: Callable[..., Any]) -> None:
    async def command(*arguments: Any) -> Any:
        return await guarded_call(server, name, handler, None, list(arguments))

    server.command(name)(command)


def create_server() -> NixlsServer:
    from nixls_assist.server import handlers as h

    server = NixlsServer()
    _register(server, types.INITIALIZE, h.initialize)
    _register(server, types.INITIALIZED, h.initialized)
    _register(server, types.SHUTDOWN, h.shutdown)
    _register(server, types.TEXT_DOCUMENT_DID_OPEN, h.did_open)
    _register(server, types.TEXT_DOCUMENT_DID_CHANGE, h.did_change)
    _register(server, types.TEXT_DOCUMENT_DID_SAVE, h.did_save)
    _register(server, types.TEXT_DOCUMENT_DID_CLOSE, h.did_close)
    _register(server, types.WORKSPACE_DID_CHANGE_CONFIGURATION, h.did_change_configuration)
    _register(server, types.WORKSPACE_DID_CHANGE_WATCHED_FILES, h.did_change_watched_files)
    _register(server, types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS,
              h.did_change_workspace_folders)
    _register(server, types.TEXT_DOCUMENT_CODE_ACTION, h.code_action, [],
              types.CodeActionOptions(code_action_kinds=h.CODE_ACTION_KINDS))
    _register(server, types.TEXT_DOCUMENT_HOVER, h.hover)
    _register(server, types.TEXT_DOCUMENT_COMPLETION, h.completion, None,
              types.CompletionOptions(trigger_characters=["."]))
    # Navigation (on demand, never on the keystroke path).
    _register(server, types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, h.document_symbol, [])
    _register(server, types.TEXT_DOCUMENT_REFERENCES, h.references, [])
    _register(server, types.WORKSPACE_SYMBOL, h.workspace_symbol, [])
    _register(server, types.TEXT_DOCUMENT_DEFINITION, h.definition, [])
    _register(server, types.TEXT_DOCUMENT_DECLARATION, h.declaration, [])
    _register(server, types.TEXT_DOCUMENT_PREPARE_RENAME, h.prepare_rename)
    _register(server, types.TEXT_DOCUMENT_RENAME, h.rename, None,
              types.RenameOptions(prepare_provider=True))
    _register(server, types.TEXT_DOCUMENT_FORMATTING, h.formatting)
    _register(server, types.TEXT_DOCUMENT_FOLDING_RANGE, h.folding_range, [])
    _register(server, types.TEXT_DOCUMENT_SELECTION_RANGE, h.selection_range, [])
    # The fleet: the configurations a module file belongs to.
    _register(server, types.TEXT_DOCUMENT_CODE_LENS, h.code_lens, [],
              types.CodeLensOptions(resolve_provider=False))
    _register(server, h.PARENT_MODULE, h.parent_module)
    # workspace/executeCommand: pygls dispatches by command name and lists the names in the
    # `executeCommandProvider` capability.
    _register_command(server, h.SHOW_CONFIGURATIONS, h.show_configurations)
    _register_command(server, h.PREVIEW_UPGRADE, h.preview_upgrade)
    return server


def run_stdio() -> None:
    server = create_server()
    # Analyses allocate many short-lived objects and no reference cycles worth chasing on
    # every keystroke: move start-up objects out of the collector's way and collect less
    # often (p95 keystroke latency).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    server.start_io()
