"""Reading `flake.lock` (version 5–7): the root's inputs, `follows`, locked and original refs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED_VERSIONS = frozenset({5, 6, 7})


class LockError(ValueError):
    """A flake.lock that cannot be used; the message, `<path>: <predicate>`, says why."""


@dataclass(frozen=True)
class LockedNode:
    name: str
    locked: dict[str, Any] = field(default_factory=dict)
    original: dict[str, Any] = field(default_factory=dict)
    # input name -> node name (direct) or follows path (list of input names from root)
    inputs: dict[str, str | list[str]] = field(default_factory=dict)
    flake: bool = True

    @property
    def last_modified(self) -> int | None:
        value = self.locked.get("lastModified")
        return value if isinstance(value, int) else None

    @property
    def date(self) -> dt.date | None:
        """The day (UTC) of `lastModified`: when the locked revision was committed."""
        stamp = self.last_modified
        return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date() if stamp is not None else None


@dataclass(frozen=True)
class FlakeLock:
    path: Path
    version: int
    root: str
    nodes: dict[str, LockedNode]

    def resolve(self, input_path: list[str], start: str | None = None,
                _depth: int = 0) -> LockedNode | None:
        """The node an input path (`["home-manager", "nixpkgs"]`) points to, following `follows`."""
        node_name = start or self.root
        for _hops, name in enumerate(input_path):
            node = self.nodes.get(node_name)
            if node is None:
                return None
            target = node.inputs.get(name)
            if target is None:
                return None
            if isinstance(target, list):
                # A corrupt lock can make `follows` cycle (a → b → a): give up, never loop.
                too_far = len(target) >= 64 or _depth >= 64
                resolved = None if too_far else self.resolve(target, None, _depth + 1)
                if resolved is None:
                    return None
                node_name = resolved.name
            else:
                node_name = target
        return self.nodes.get(node_name)

    def root_inputs(self) -> dict[str, str | list[str]]:
        root = self.nodes.get(self.root)
        return dict(root.inputs) if root else {}


def read_flake_lock(path: Path) -> FlakeLock:
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise LockError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise LockError(f"{path}: is not valid UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise LockError(f"{path}: is not valid JSON ({exc})") from exc
    return parse_flake_lock(data, path)


def parse_flake_lock(data: object, path: Path) -> FlakeLock:
    if not isinstance(data, dict):
        raise LockError(f"{path}: is not a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or version not in SUPPORTED_VERSIONS:
        raise LockError(f"{path}: has version {version!r}, which this tool cannot read "
                        "(known: 5, 6, 7)")
    raw_nodes = data.get("nodes")
    root = data.get("root", "root")
    if not isinstance(raw_nodes, dict) or not isinstance(root, str) or root not in raw_nodes:
        raise LockError(f"{path}: has no `nodes` or no root node")
    nodes: dict[str, LockedNode] = {}
    for name, raw in raw_nodes.items():
        if not isinstance(raw, dict):
            raise LockError(f"{path}: has a node {name!r} that is not an object")
        inputs: dict[str, str | list[str]] = {}
        raw_inputs = raw.get("inputs")
        for key, target in (raw_inputs if isinstance(raw_inputs, dict) else {}).items():
            if isinstance(target, str) or (
                isinstance(target, list) and all(isinstance(t, str) for t in target)
            ):
                inputs[key] = target
        nodes[name] = LockedNode(
            name=name,
            locked=raw.get("locked") if isinstance(raw.get("locked"), dict) else {},
            original=raw.get("original") if isinstance(raw.get("original"), dict) else {},
            inputs=inputs,
            flake=raw.get("flake", True) is not False,
        )
    return FlakeLock(path=path, version=version, root=root, nodes=nodes)
