"""Checking many files (`check PATH…`): the result cache first, then the rest in this process or in
worker processes. Results keep the input order, so the output is the same with any `--jobs`."""

from __future__ import annotations

import os
import queue
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nixls_assist import run_cache
from nixls_assist.analysis.result_cache import ResultCache
from nixls_assist.analysis.results import FileResult
from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.git import Baseline, committed_baseline
from nixls_assist.findings import Finding
from nixls_assist.syntax.positions import LineIndex
from option_index.sources.nix_files import resolve_file

if TYPE_CHECKING:
    from nixls_assist.analysis.workspace import Workspace

# Below this many files to check, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 50
_UNCLASSIFIED = Classification(FileKind.OTHER, "not classified yet")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Pending:
    index: int
    data: bytes
    path: Path | None
    display: str
    resolved: Path | None = None
    key: str | None = None
    baseline: Baseline | None = None


Input = tuple[bytes, Path | None, str]
# What a worker sends back per file: findings, classification, the document's bytes when they
# differ from the file's (a skipped document), and whether the document was skipped.
_Output = tuple[list[Finding], Classification, bytes | None, bool]


def check_inputs(workspace: Workspace, inputs: list[Input], cache: ResultCache | None,
                 jobs: int) -> list[FileResult]:
    results: list[FileResult | None] = [None] * len(inputs)
    pending: list[_Pending] = []
    for index, (data, path, display) in enumerate(inputs):
        if path is None:  # stdin: nothing to key it by
            pending.append(_Pending(index, data, path, display))
            continue
        hit = _prepare(workspace, cache, index, data, path, display)
        if isinstance(hit, FileResult):
            results[index] = hit
        else:
            pending.append(hit)
    if jobs > 1 and len(pending) >= PARALLEL_MIN_FILES and _can_fork() and \
            all(p.resolved is not None for p in pending):
        if cache is not None:
            cache.detach_extract_cache(workspace.resolvers())  # no open database across fork
        outputs = _run_workers(workspace, pending, jobs)
        for item, (findings, classification, source, skipped) in zip(pending, outputs,
                                                                      strict=True):
            resolver = workspace.setup(item.path).resolver
            ctx = resolver.context_with(item.resolved, classification)  # type: ignore[arg-type]
            if item.baseline is not None:
                ctx = replace(ctx, baseline=item.baseline)
            results[item.index] = FileResult(
                item.display, item.path, None, ctx, findings,
                lines=LineIndex(item.data if source is None else source))
            if cache is not None and item.key is not None and source is None and not skipped:
                cache.put(item.resolved, item.key, findings, classification)  # type: ignore[arg-type]
    else:
        for item in pending:
            if item.path is None:
                result = workspace.check(item.data, item.path, item.display)
            else:
                result = workspace.check(item.data, item.path, item.display,
                                       baseline=item.baseline)
            results[item.index] = result
            doc = result.doc
            if cache is not None and item.key is not None and doc is not None \
                    and not doc.skipped and doc.source == item.data:
                cache.put(item.resolved, item.key, result.findings,  # type: ignore[arg-type]
                          result.context.classification)
    return [r for r in results if r is not None]


def _prepare(workspace: Workspace, cache: ResultCache | None, index: int, data: bytes, path: Path,
             display: str) -> FileResult | _Pending:
    """The cached result of a file, or what checking it needs. Reads the workspace-wide
    context (locks, module structure, declared options) here, in this process, once."""
    setup = workspace.setup(path)
    resolver = setup.resolver
    resolved = resolve_file(path)
    ctx = resolver.context_with(resolved, _UNCLASSIFIED)
    hint = resolver.workspace_hint(resolved)
    fingerprint = resolver.workspace_fingerprint(resolved)
    baseline = committed_baseline(resolved, data)
    if cache is None:
        return _Pending(index, data, path, display, resolved, None, baseline)
    key = cache.key(data=data, display=display, settings=resolver.settings,
                    selection=workspace.selection_for(path), max_bytes=workspace.max_bytes,
                    ctx=ctx, hint=hint, workspace=fingerprint, baseline=baseline)
    hit = cache.get(resolved, key)
    if hit is None:
        return _Pending(index, data, path, display, resolved, key, baseline)
    findings, classification = hit
    ctx = replace(ctx, classification=classification, baseline=baseline)
    return FileResult(display, path, None, ctx, findings, lines=LineIndex(data))


# -- worker processes -----------------------------------------------------------------------

def _can_fork() -> bool:
    return hasattr(os, "fork")  # what multiprocessing's "fork" start method needs


def _run_workers(workspace: Workspace, pending: list[_Pending], jobs: int) -> list[_Output]:
    """Check `pending` in `jobs` forked processes: they inherit the workspace and its warm
    context caches as their arguments (a fork copies them, nothing is pickled and no global
    holds them); each opens its own option indexes (none is open in this process yet). Chunks
    go out on one queue, results come back on another, in any order; returned in order.
    multiprocessing is imported here: a run in one process (the cached, the small) skips it."""
    import multiprocessing

    from nixls_assist import rules

    rules.ALL_RULES  # noqa: B018 -- imported once here, inherited by every worker's fork
    context = multiprocessing.get_context("fork")
    size = max(4, len(pending) // (jobs * 4))
    chunks = [(start, min(start + size, len(pending))) for start in range(0, len(pending), size)]
    tasks: Any = context.SimpleQueue()
    results: Any = context.Queue()
    workers = [context.Process(target=_worker, args=(workspace, pending, tasks, results),
                               daemon=True)
               for _ in range(min(jobs, len(chunks)))]
    for worker in workers:
        worker.start()
    for number, chunk in enumerate(chunks):
        tasks.put((number, *chunk))
    for _ in workers:
        tasks.put(None)  # one stop sign per worker, after every chunk
    done: list[list[_Output] | None] = [None] * len(chunks)
    try:
        for _ in chunks:
            number, outputs, observed = _next_result(results, workers)
            if isinstance(outputs, BaseException):
                raise outputs
            done[number] = outputs
            recording = run_cache.current()
            if recording is not None and observed is not None:
                recording.merge(observed)
    finally:
        for worker in workers:
            if worker.is_alive() and any(part is None for part in done):
                worker.terminate()
            worker.join()
        tasks.close()
        results.close()
    return list(chain.from_iterable(part for part in done if part is not None))


def _next_result(results: Any, workers: list[Any]) -> tuple[int, Any, Any]:
    """The next chunk's result; an error instead of waiting forever when every worker is
    gone (killed, out of memory) with chunks still unanswered."""
    while True:
        try:
            return results.get(timeout=1.0)  # type: ignore[no-any-return]
        except queue.Empty:
            if any(worker.is_alive() for worker in workers):
                continue
            try:  # all gone: whatever they sent is in the pipe by now
                return results.get(timeout=1.0)  # type: ignore[no-any-return]
            except queue.Empty:
                raise RuntimeError("a worker process checking files died") from None


def _worker(workspace: Workspace, pending: list[_Pending], tasks: Any, results: Any) -> None:
    recording = run_cache.current()
    if recording is not None:
        recording.in_worker()
    while (task := tasks.get()) is not None:
        number, start, stop = task
        try:
            outputs = _check_chunk(workspace, pending[start:stop])
            recording = run_cache.current()  # what this chunk read, for the run cache
            observed = None if recording is None else recording.observed_list()
            if recording is not None:
                recording.observed.clear()
            results.put((number, outputs, observed))
        except Exception as exc:  # re-raised in the parent, as a pool does
            import pickle

            try:
                pickle.dumps(exc)
            except Exception:  # an exception that cannot travel: its description can
                exc = RuntimeError(f"{type(exc).__name__}: {exc}")
            results.put((number, exc, None))


def _check_chunk(workspace: Workspace, chunk: list[_Pending]) -> list[_Output]:
    out: list[_Output] = []
    for item in chunk:
        result = workspace.check(item.data, item.path, item.display, baseline=item.baseline)
        doc = result.doc
        assert doc is not None
        source = None if doc.source == item.data else doc.source
        out.append((result.findings, result.context.classification, source, doc.skipped))
    return out
