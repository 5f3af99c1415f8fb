"""Rename / removal shims (`mkRenamedOptionModule` & co.) read by the static extractor."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tree_sitter import Node

from option_index.model import DriftRecord
from option_index.paths import show_path
from option_index.sources.extract_nodes import bindings, call_parts, named, path_list, string_value

if TYPE_CHECKING:
    from option_index.sources.extract import Extraction

DRIFT_FUNCTIONS = {
    "mkRenamedOptionModule": "renamed", "mkRenamedOptionModuleWith": "renamed",
    "mkRemovedOptionModule": "removed", "mkAliasOptionModule": "alias",
    "mkAliasOptionModuleMD": "alias", "mkChangedOptionModule": "changed",
    "mkMergedOptionModule": "merged",
}


class DriftShims:
    """The drift half of the extractor's file reader (mixed into it): finds every shim call
    in a file, relative to the mount point `prefix`."""

    consumed: set[int]  # apply_expression ids already read (a shim inside a shim's argument)
    out: Extraction
    release: str
    path: Path | None

    def _resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        raise NotImplementedError

    def _scan_drift(self, root: Node, prefix: tuple[str, ...]) -> None:
        if root.text is not None and b"OptionModule" not in root.text:
            return  # every name in DRIFT_FUNCTIONS contains it: nothing to find
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "apply_expression" and node.id not in self.consumed:
                name, args = call_parts(node)
                if name in DRIFT_FUNCTIONS:
                    self._mark(node)
                    self._drift(DRIFT_FUNCTIONS[name], name, args, prefix)
                    continue
            stack.extend(reversed(node.named_children))

    def _mark(self, node: Node) -> None:
        while node is not None and node.type == "apply_expression":
            self.consumed.add(node.id)
            node = node.child_by_field_name("function")

    def _drift(self, kind: str, name: str, args: list[Node], prefix: tuple[str, ...]) -> None:
        message = ""
        if name == "mkRenamedOptionModuleWith" and args:
            fields = {n[0]: v for n, v in bindings(args[0])}
            froms, to = [path_list(fields.get("from"))], path_list(fields.get("to"))
        elif kind == "merged" and args:
            outer = self._resolve(args[0])
            froms = [path_list(e) for e in named(outer)] if outer is not None else []
            to = path_list(args[1]) if len(args) > 1 else None
        elif kind == "removed":
            froms, to = [path_list(args[0]) if args else None], None
            message = string_value(args[1]) or "" if len(args) > 1 else ""
        else:
            froms = [path_list(args[0]) if args else None]
            to = path_list(args[1]) if len(args) > 1 else None
        for frm in froms:
            if frm is None or (kind != "removed" and to is None):
                continue  # computed paths (interpolation, map over a list): not static
            self.out.drift.append(DriftRecord(
                kind=kind,  # type: ignore[arg-type]
                from_path=show_path(prefix + frm),
                to_path=show_path(prefix + to) if to is not None else None,
                release=self.release, message=message.strip().splitlines()[0][:300]
                if message.strip() else "",
                release_inferred=True, release_window=f"<={self.release}",
                source=f"{self.path}:{args[0].start_point[0] + 1 if args else 0}",
            ))
