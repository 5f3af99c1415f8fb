"""Checking many files (`check PATH…`): the result cache first, then the rest in this process or in
worker processes. Results keep the input order, so the output is the same with any `--jobs`."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from nixls_assist.analysis.result_cache import ResultCache
from nixls_assist.analysis.results import FileResult
from nixls_assist.context.filekind import Classification, FileKind
from nixls_assist.context.git import Baseline, committed_baseline
from nixls_assist.findings import Finding
from nixls_assist.syntax.positions import LineIndex
from option_index.nix_files import resolve_file

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

_JOB: tuple[Workspace, list[_Pending]] | None = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_workers(workspace: Workspace, pending: list[_Pending], jobs: int) -> list[_Output]:
    """Check `pending` in `jobs` forked processes: they inherit the warm context caches; each
    opens its own option indexes (none is open in this process yet)."""
    global _JOB
    _JOB = (workspace, pending)
    size = max(4, len(pending) // (jobs * 4))
    chunks = [range(start, min(start + size, len(pending)))
              for start in range(0, len(pending), size)]
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            return list(chain.from_iterable(pool.imap(_check_chunk, chunks)))
    finally:
        _JOB = None


def _check_chunk(indices: range) -> list[_Output]:
    assert _JOB is not None
    workspace, pending = _JOB
    out: list[_Output] = []
    for i in indices:
        item = pending[i]
        result = workspace.check(item.data, item.path, item.display, baseline=item.baseline)
        doc = result.doc
        assert doc is not None
        source = None if doc.source == item.data else doc.source
        out.append((result.findings, result.context.classification, source, doc.skipped))
    return out
