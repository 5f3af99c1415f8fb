"""End-to-end tests: pytest-lsp drives the real `python -m nixls_assist serve` process."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.conftest import REPO
from tests.e2e.fleet import make_fleet

WORKSPACES = Path(__file__).parent / "workspaces"
FLAKE_2405 = WORKSPACES / "flake-2405"
FLAKE_2411 = WORKSPACES / "flake-2411"
TIMEOUT = 20.0

# One option-index cache per test run: the embedded indexes are unpacked once.
_CACHE = tempfile.mkdtemp(prefix="nixls-e2e-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
SERVER_ENV = {**os.environ, "PYTHONPATH": str(REPO), "NIXLS_ASSIST_CACHE_DIR": _CACHE}
SERVER_COMMAND = [sys.executable, "-m", "nixls_assist", "serve"]


def _publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]
    client.changed.set()  # type: ignore[attr-defined]


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also keeping every publishDiagnostics with its version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.changed = asyncio.Event()  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES,
                                   types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
                                   types.CLIENT_REGISTER_CAPABILITY: _register})
    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV,
                            client_factory=make_client)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


# The navigation tests' fleet, with its pinned nixpkgs in a fake store (tests/e2e/fleet.py).
_FLEET_BASE = Path(tempfile.mkdtemp(prefix="nixls-e2e-fleet-"))
atexit.register(shutil.rmtree, _FLEET_BASE, ignore_errors=True)
FLEET, FLEET_STORE = make_fleet(_FLEET_BASE)
FLEET_CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    server_env={**SERVER_ENV, "NIX_STORE_DIR": str(FLEET_STORE)},
    client_factory=make_client)


@pytest_lsp.fixture(config=FLEET_CONFIG)
async def fleet_client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


# A second copy of the fleet, whose store a test may garbage-collect under the server.
_GC_BASE = Path(tempfile.mkdtemp(prefix="nixls-e2e-gc-fleet-"))
atexit.register(shutil.rmtree, _GC_BASE, ignore_errors=True)
GC_FLEET, GC_STORE = make_fleet(_GC_BASE)


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=SERVER_COMMAND,
    server_env={**SERVER_ENV, "NIX_STORE_DIR": str(GC_STORE)},
    client_factory=make_client))
async def gc_fleet_client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


def position_of(text: str, needle: str, delta: int = 1) -> types.Position:
    """The position `delta` characters into the first `needle` of `text`."""
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def initialize(client: LanguageClient, root: Path, options: Any = None,
                     configuration: dict[str, Any] | None = None,
                     spec: str = "visual-studio-code") -> types.InitializeResult:
    if configuration is not None:
        client.set_configuration(configuration, section="nixls-assist")
    return await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(spec),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    ))


def open_file(client: LanguageClient, path: Path, text: str | None = None,
              version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="nix", version=version,
                                             text=path.read_text() if text is None else text)))
    return uri


async def diagnostics_for(client: LanguageClient, uri: str, version: int | None = None,
                          after: int = 0) -> list[types.Diagnostic]:
    """The diagnostics published for `uri` (at `version` when given; only among the
    publications after the first `after`), waiting for them."""
    async def wait() -> list[types.Diagnostic]:
        while True:
            for params in reversed(client.published[after:]):  # type: ignore[attr-defined]
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            client.changed.clear()  # type: ignore[attr-defined]
            await client.changed.wait()  # type: ignore[attr-defined]
    return await asyncio.wait_for(wait(), TIMEOUT)


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int],
           end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(*start), end=types.Position(*end)),
            text=text)]))


def range_of(r: types.Range) -> str:
    """`"15:2-15:24"`: compact ranges for assertions."""
    return f"{r.start.line}:{r.start.character}-{r.end.line}:{r.end.character}"
