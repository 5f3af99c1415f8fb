"""Where drift is reported, and how its release is described in messages."""

from __future__ import annotations

from collections.abc import Iterator

from nixls_assist.rules.option_targets import Judged
from nixls_assist.syntax.bindings import OptionBinding
from option_index.model import DriftRecord
from option_index.paths import split_path


def outermost_drift(judged: list[Judged]) -> Iterator[tuple[Judged, DriftRecord]]:
    """Drift per definition, skipping definitions inside an already reported one."""
    reported: list[OptionBinding] = []
    for j in judged:
        record = j.index.drift(j.binding.path)
        if record is None or under_any(j.binding, reported):
            continue
        if "*" in j.binding.path[: len(split_path(record.from_path))]:
            continue
        reported.append(j.binding)
        yield j, record


def under_any(binding: OptionBinding, outer: list[OptionBinding]) -> bool:
    """Whether `binding` is written inside one of `outer` (same module, longer path)."""
    start, end = binding.binding_span.start, binding.binding_span.end
    for o in outer:
        if (o.binding_span.start <= start and end <= o.binding_span.end
                and o.scope == binding.scope and binding.path[: len(o.path)] == o.path):
            return True
    return False


def when(record: DriftRecord, judged: Judged) -> str:
    """`in 24.11 (release inferred; pinned to `nixos-24.11` via flake.lock)`."""
    notes = []
    if record.release_inferred and not record.release_window:
        notes.append("release inferred")
    if record.path_inferred:
        notes.append("path reconstructed from release notes")
    notes.append(judged.pin.phrase)
    when = f"in or before {record.release}" if record.release_window else f"in {record.release}"
    return f"{when} ({'; '.join(notes)})"


def chain(record: DriftRecord) -> str:
    return f" via `{'` → `'.join(record.chain)}`" if record.chain else ""
