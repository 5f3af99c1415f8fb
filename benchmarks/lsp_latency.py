"""Latency of the real language server process (`python -m nixls_assist serve`).

Prints: cold start → first publishDiagnostics, beside a bare pygls server's (one that
publishes no diagnostics, started the same way); keystroke → publishDiagnostics p50/p95 on a
1,000-line NixOS module (`--lines 30000` for a ~1 MB one); hover and completion p50/p95; the
server's RSS.

    python benchmarks/lsp_latency.py [--keystrokes 60] [--requests 100] [--lines 1000]

Keystrokes are typed one at a time, each after the previous one's diagnostics arrived and
a pause longer than the debounce delay (the latency a user sees when they stop typing is
the delay plus this). Floors: cold start ≤ 600 ms, keystroke p95 ≤ 30 ms, hover and
completion p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "tests" / "e2e" / "workspaces" / "flake-2411" / "flake.lock"
DELAY_MS = 150

BLOCK = '''
  services.nginx.virtualHosts."site{i}.example.org" = {{
    enableACME = true;
    forceSSL = true;
    locations."/".proxyPass = "http://127.0.0.1:{port}";
  }};
  systemd.services.worker{i} = {{
    description = "Worker {i}";
    wantedBy = [ "multi-user.target" ];
    serviceConfig.ExecStart = "${{pkgs.coreutils}}/bin/sleep infinity";
  }};
  systemd.timers.worker{i} = lib.mkIf config.services.nginx.enable {{
    wantedBy = [ "timers.target" ];
    timerConfig.OnCalendar = "hourly";
  }};
'''


def module(lines: int = 1000) -> str:
    head = ("{ config, lib, pkgs, ... }:\n\n{\n  boot.loader.systemd-boot.enable = true;\n"
            "  services.openssh.enable = true;\n  hardware.opengl.enable = true;\n")
    body, i, count = [], 0, head.count("\n")
    while count < lines - 3:
        body.append(BLOCK.format(i=i, port=8000 + i))
        count += body[-1].count("\n")
        i += 1
    return head + "".join(body) + '\n  system.stateVersion = "24.11";\n}\n'


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def show(name: str, values: list[float], floor: float | None = None) -> None:
    line = (f"{name:<34} p50 {statistics.median(values):7.1f} ms   p95 {pct(values, 95):7.1f} ms"
            f"   (n={len(values)})")
    if floor is not None:
        line += f"   floor p95 ≤ {floor:.0f} ms: {'ok' if pct(values, 95) <= floor else 'MISSED'}"
    print(line)


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# The floor under any pygls server's cold start: import pygls and lsprotocol, answer
# `initialize`, publish (empty) diagnostics for an opened document.
BARE_SERVER = """
from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "1")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls, params):
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=params.text_document.uri, diagnostics=[], version=params.text_document.version))


server.start_io()
"""


async def run(keystrokes: int, requests: int, lines: int, engine: bool) -> None:
    workspace = Path(tempfile.mkdtemp(prefix="nixls-bench-"))
    try:
        shutil.copy(LOCK, workspace / "flake.lock")
        path = workspace / "configuration.nix"
        text = module(lines)
        path.write_text(text)
        bare = min([await cold_start(workspace, path, text, ["-c", BARE_SERVER])
                    for _ in range(3)])
        print(f"{'bare pygls: cold start → diagnostics':<34} {bare:7.1f} ms   (min of 3)")
        await measure(workspace, path, text, keystrokes, requests, bare, engine)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


async def cold_start(workspace: Path, path: Path, text: str, argv: list[str]) -> float:
    """Milliseconds from starting `python ARGV` to its first publishDiagnostics."""
    client = LanguageClient("nixls-bench", "1")
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        arrived.set()

    started = time.perf_counter()
    await client.start_io(sys.executable, *argv, env={**os.environ, "PYTHONPATH": str(REPO)})
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri()))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=path.as_uri(), language_id="nix", version=1,
                                             text=text)))
    await asyncio.wait_for(arrived.wait(), 60)
    elapsed = (time.perf_counter() - started) * 1000
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return elapsed


async def measure(workspace: Path, path: Path, text: str, keystrokes: int,
                  requests: int, bare: float, engine: bool) -> None:
    client = LanguageClient("nixls-bench", "1")
    published: dict[int, float] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published[params.version or 0] = time.perf_counter()
        arrived.set()

    async def wait_version(version: int) -> float:
        while version not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 30)
        return published[version]

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    uri = path.as_uri()
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "nixls_assist", "serve", env=env)
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=workspace.as_uri(),
        initialization_options={"diagnosticsDelayMs": DELAY_MS}))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="nix", version=1, text=text)))
    cold = (await wait_version(1) - started) * 1000
    print(f"{'module':<34} {text.count(chr(10))} lines, {len(text.encode()) // 1024} KiB")
    print(f"{'cold start → first diagnostics':<34} {cold:7.1f} ms   "
          f"{cold / bare:.2f}x the bare server's (floor ≤ 1.2x: "
          f"{'ok' if cold <= 1.2 * bare else 'MISSED'})")
    print(f"{'server RSS after the first check':<34} {rss_mb(client._server.pid):7.1f} MB")

    # Keystrokes: type a comment character by character on line 3.
    latencies = []
    cpu_before = cpu_ms(client._server.pid)
    for version in range(2, keystrokes + 2):
        await asyncio.sleep(DELAY_MS / 1000 + 0.03)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(3, 2 + version - 2),
                                  end=types.Position(3, 2 + version - 2)),
                text="#" if version == 2 else "x")]))
        latencies.append((await wait_version(version) - sent) * 1000)
    show("keystroke → publishDiagnostics", latencies, 10 if len(text) < 200_000 else 100)
    used = (cpu_ms(client._server.pid) - cpu_before) / keystrokes
    print(f"{'server CPU per keystroke (mean)':<34} {used:7.1f} ms   (the rest is waiting: "
          "scheduling, the client, other processes)")

    lines = text.splitlines()
    targets = [(n, line.index("=") - 2) for n, line in enumerate(lines)
               if "=" in line and line.index("=") > 4][:requests]
    hovers = []
    for line, character in targets:
        sent = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, character)))
        hovers.append((time.perf_counter() - sent) * 1000)
    show("hover", hovers, 20)

    completions = []
    for line, _ in targets:
        column = lines[line].find(".") + 1 or 2
        sent = time.perf_counter()
        await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, column)))
        completions.append((time.perf_counter() - sent) * 1000)
    show("completion", completions, 20)

    print(f"{'server RSS':<34} {rss_mb(client._server.pid):7.1f} MB")
    if engine:
        engine_only(path, text)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def engine_only(path: Path, text: str, runs: int = 10) -> None:
    """The rules engine alone on the same text, in this process: the floor under keystrokes."""
    sys.path.insert(0, str(REPO))
    from nixls_assist.analysis.indexes import IndexProvider
    from nixls_assist.context.resolver import ContextResolver
    from nixls_assist.rules.engine import check
    from nixls_assist.syntax.document import parse

    resolver, indexes = ContextResolver(), IndexProvider()
    times = []
    for _ in range(runs + 1):
        doc = parse(text, str(path))  # fresh: nothing memoised from the previous run
        started = time.perf_counter()
        check(doc, resolver.context_for(doc, path), indexes)
        times.append((time.perf_counter() - started) * 1000)
    show("engine.check alone (in-process)", times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=60)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--lines", type=int, default=1000,
                        help="size of the module (30000 lines ≈ 1 MB)")
    parser.add_argument("--no-engine", action="store_true",
                        help="skip the in-process engine timing (slow on big modules)")
    args = parser.parse_args()
    asyncio.run(run(args.keystrokes, args.requests, args.lines, not args.no_engine))


if __name__ == "__main__":
    main()
