"""The language server under load, over real LSP on stdio (`python -m nixls_assist serve`).

50 documents open in a copy of examples/fleet (the real flake.lock pins nixos-24.11), rapid
incremental edits on all of them, and a flood of hover / completion requests of which a share
is cancelled at once with `$/cancelRequest`. It samples the server's RSS while it works and
checks at the end that:

- every document's last published diagnostics carry its last version;
- they are the findings `engine.check` gives for the same final text (the edits plant a
  renamed option, `hardware.opengl.enable`, reported as NXA101 in the NixOS modules);
- a hover on a planted option still answers, after the storm, with that option.

    python benchmarks/server_load.py [--docs 50] [--rounds 20] [--requests 2000] [--json]

Exit status 1 when a check fails (or a request never got an answer).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PLANTED = "  hardware.opengl.enable = true;\n"


class Client:
    """A minimal JSON-RPC client over the server's stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.diagnostics: dict[str, tuple[int | None, list[dict[str, Any]]]] = {}
        self.published = asyncio.Event()
        self.messages: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            header = await stdout.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            message = json.loads(await stdout.readexactly(length))
            if "id" in message and "method" not in message:
                future = self.waiting.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.diagnostics[params["uri"]] = (params.get("version"), params["diagnostics"])
                self.published.set()
            elif message.get("method") == "window/showMessage":
                self.messages.append(message["params"]["message"])
            elif "id" in message:  # a request from the server: answer with null
                await self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    async def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await stdin.drain()

    async def request(self, method: str, params: Any) -> tuple[int, asyncio.Future[dict[str, Any]]]:
        request_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[request_id] = future
        await self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id, future

    async def call(self, method: str, params: Any, timeout: float = 60) -> Any:
        _, future = await self.request(method, params)
        return (await asyncio.wait_for(future, timeout)).get("result")

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def make_workspace(root: Path, count: int) -> list[Path]:
    """examples/fleet, plus `count` modules copied from the corpus under hosts/load-N/."""
    shutil.copytree(REPO / "examples" / "fleet", root, dirs_exist_ok=True)
    corpus = sorted(p for p in (REPO / "tests" / "corpus" / "valid").glob("*.nix")
                    if not p.name.startswith(("flake", "default", "overlay", "package", "shell")))
    files = []
    for i in range(count):
        path = root / "hosts" / f"load-{i:02d}" / "configuration.nix"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(corpus[i % len(corpus)].read_bytes())
        files.append(path)
    return files


def planted_line(text: str) -> int | None:
    """The line after the module's opening `{` line, where an edit can add a binding."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip().endswith("{") and ":" in "".join(lines[: i + 1]):
            return i + 1
    return None


def expected_findings(path: Path, text: str) -> list[tuple[str, int, int]]:
    """What `engine.check` says about `text` at `path`, as the server configures it."""
    from nixls_assist.analysis.indexes import IndexProvider
    from nixls_assist.context.resolver import ContextResolver
    from nixls_assist.rules.engine import check
    from nixls_assist.syntax.loading import load_document

    doc = load_document(text.encode(), str(path))
    ctx = ContextResolver().context_for(doc, path)
    found = check(doc, ctx, IndexProvider())
    return sorted((f.code, *doc.lines.position(f.span.start)) for f in found
                  if f.code != "NXA301")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="nixls-load-"))
    cache = work / "cache"
    root = work / "ws"
    files = make_workspace(root, args.docs)
    env = {**os.environ, "PYTHONPATH": str(REPO), "NIXLS_ASSIST_CACHE_DIR": str(cache)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nixls_assist", "serve", cwd=root, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=(work / "server.log").open("wb"), limit=2**24)
    client = Client(process)
    samples: list[tuple[float, int]] = []
    started = time.monotonic()

    async def sample() -> None:
        while True:
            samples.append((time.monotonic() - started, rss_kib(process.pid)))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    report: dict[str, Any] = {"docs": args.docs, "problems": []}
    try:
        await client.call("initialize", timeout=180, params={
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
            "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]},
                                              "publishDiagnostics": {"versionSupport": True}}}})
        await client.notify("initialized", {})
        report["rss_idle_kib"] = rss_kib(process.pid)

        texts = {f.as_uri(): f.read_text() for f in files}
        versions = dict.fromkeys(texts, 1)
        t0 = time.monotonic()
        for uri, text in texts.items():
            await client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "nix", "version": 1, "text": text}})
        await wait_for(client, lambda: all(u in client.diagnostics for u in texts), 300)
        report["open_all_seconds"] = round(time.monotonic() - t0, 2)
        report["rss_after_open_kib"] = rss_kib(process.pid)

        # Rapid edits on every document, hovers / completions in between, some cancelled.
        latencies: dict[str, list[float]] = {"hover": [], "completion": []}
        cancelled = answered_cancelled = 0
        pending: list[tuple[str, float, asyncio.Future[dict[str, Any]]]] = []
        t0 = time.monotonic()
        per_round = max(1, args.requests // max(1, args.rounds))
        for round_no in range(args.rounds):
            for uri in texts:
                text = texts[uri]
                line = planted_line(text) or 0
                if round_no == args.rounds - 1 and PLANTED not in text:
                    new = PLANTED
                else:
                    new = f"  # edit {round_no}\n"
                versions[uri] += 1
                texts[uri] = insert_line(text, line, new)
                await client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": versions[uri]},
                    "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                                  "end": {"line": line, "character": 0}},
                                        "text": new}]})
            for _ in range(per_round):
                uri = rng.choice(list(texts))
                lines = texts[uri].split("\n")
                line = rng.randrange(len(lines))
                position = {"line": line, "character": rng.randrange(len(lines[line]) + 1)}
                method = rng.choice(["hover", "completion"])
                request_id, future = await client.request(
                    f"textDocument/{method}",
                    {"textDocument": {"uri": uri}, "position": position})
                if rng.random() < args.cancel_share:
                    await client.notify("$/cancelRequest", {"id": request_id})
                    cancelled += 1
                pending.append((method, time.monotonic(), future))
            await asyncio.sleep(0)
        report["edit_and_request_seconds"] = round(time.monotonic() - t0, 2)
        unanswered = 0
        for method, sent, future in pending:
            try:
                reply = await asyncio.wait_for(future, 120)
            except TimeoutError:
                unanswered += 1
                continue
            if "error" in reply:
                if reply["error"].get("code") == -32800:
                    answered_cancelled += 1
                else:
                    report["problems"].append(f"{method} error: {reply['error']}")
                continue
            latencies[method].append(time.monotonic() - sent)
        if unanswered:
            report["problems"].append(f"{unanswered} requests never answered")
        report["requests"] = len(pending)
        report["cancel_sent"] = cancelled
        report["cancelled_replies"] = answered_cancelled
        for method, values in latencies.items():  # sent in a burst: includes queueing
            if values:
                values.sort()
                report[f"{method}_ms"] = {
                    "n": len(values), "p50": round(1000 * statistics.median(values), 1),
                    "p95": round(1000 * values[int(0.95 * (len(values) - 1))], 1),
                    "max": round(1000 * values[-1], 1)}

        # Diagnostics settle on the last version, and are what the engine says.
        t0 = time.monotonic()
        await wait_for(client, lambda: all(
            client.diagnostics.get(u, (None,))[0] == versions[u] for u in texts), 300)
        report["settle_seconds"] = round(time.monotonic() - t0, 2)
        report["rss_after_storm_kib"] = rss_kib(process.pid)
        stale = [u for u in texts if client.diagnostics.get(u, (None,))[0] != versions[u]]
        if stale:
            report["problems"].append(f"{len(stale)} documents with stale diagnostics")
        mismatched = 0
        planted_ok = 0
        for path in files:
            uri = path.as_uri()
            got = sorted((d["code"], d["range"]["start"]["line"],
                          d["range"]["start"]["character"])
                         for d in client.diagnostics.get(uri, (None, []))[1]
                         if d.get("code") != "NXA301")
            want = expected_findings(path, texts[uri])
            if got != want:
                mismatched += 1
                if mismatched <= 3:
                    report["problems"].append(f"{path.parent.name}: server {got} != check {want}")
            line = texts[uri].split("\n").index(PLANTED.rstrip("\n"))
            if ("NXA101", line, 2) in got:
                planted_ok += 1
        report["diagnostics_match_check"] = f"{args.docs - mismatched}/{args.docs}"
        report["planted_nxa101_found"] = f"{planted_ok}/{args.docs}"
        # (a module the engine reads as home-manager or plain code has no NXA101 to give)

        # One request at a time, once the storm is over: the latency a user feels.
        quiet: list[float] = []
        for _ in range(100):
            uri = rng.choice(list(texts))
            lines = texts[uri].split("\n")
            line = rng.randrange(len(lines))
            sent = time.monotonic()
            await client.call(f"textDocument/{rng.choice(['hover', 'completion'])}", {
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": rng.randrange(len(lines[line]) + 1)}})
            quiet.append(time.monotonic() - sent)
        quiet.sort()
        report["sequential_request_ms"] = {"n": len(quiet),
                                           "p50": round(1000 * statistics.median(quiet), 1),
                                           "p95": round(1000 * quiet[94], 1),
                                           "max": round(1000 * quiet[-1], 1)}

        # A hover after the storm still answers about the planted option.
        uri = files[0].as_uri()
        line = texts[uri].split("\n").index(PLANTED.rstrip("\n"))
        hover = await client.call("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": 12}})
        value = json.dumps(hover or {})
        if "opengl" not in value and "graphics" not in value:
            report["problems"].append(f"hover on the planted option answered {value[:200]}")
        report["server_messages"] = client.messages[:5]

        await client.call("shutdown", None)
        await client.notify("exit", None)
        await asyncio.wait_for(process.wait(), 20)
    finally:
        sampler.cancel()
        client.reader.cancel()
        if process.returncode is None:
            process.kill()
            await process.wait()
        log = (work / "server.log").read_text(errors="replace")
        if "Traceback" in log:
            report["problems"].append(f"server stderr: {log[-1500:]}")
        shutil.rmtree(work, ignore_errors=True)
    peak = max(kib for _, kib in samples) if samples else 0
    report["rss_peak_kib"] = peak
    report["rss_timeline_mib"] = [(round(t, 1), round(kib / 1024, 1))
                                  for t, kib in samples[:: max(1, len(samples) // 20)]]
    report["total_seconds"] = round(time.monotonic() - started, 1)
    return report


def insert_line(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    offset = sum(len(x) + 1 for x in lines[:line])
    return text[:offset] + new + text[offset:]


async def wait_for(client: Client, done: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        client.published.clear()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.published.wait(), min(remaining, 1.0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cancel-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
