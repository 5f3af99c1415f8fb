"""`nixls-assist where OPTION [PATH…]`: every definition of an option across the files.

Definitions are grouped by configuration when the fleet graph knows which configurations use
a file, else by file. Exit code 0 when the option is defined somewhere, 1 when it is not
(like grep), 2 on a usage error. Values are never printed: a definition may hold a secret.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, TextIO

from nixls_assist import __version__
from nixls_assist.analysis import Workspace, relative_to_root
from nixls_assist.cli.files import discover

FORMATS = ("text", "json")


def add_where_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "where", help="list every definition of an option across the workspace",
        description="List every definition of an option path (`networking.firewall.enable`; "
                    "`*` or `<name>` match any name) in the .nix files under PATH "
                    "(default: .). Exit code 1 when it is defined nowhere.")
    parser.add_argument("option", help="an option path, e.g. services.openssh.enable")
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.set_defaults(handler=run_where)


def run_where(args: argparse.Namespace, out: TextIO) -> int:
    started = time.monotonic()
    cwd = Path.cwd().resolve()
    workspace = Workspace(roots=[cwd])
    files = list(discover(args.paths, lambda path, is_dir: workspace.excluded(path, is_dir)))
    answer = workspace.navigation.where(args.option, files, walk=False)
    rows = [_row(d, cwd, answer.configurations.get(d.file, ())) for d in answer.definitions]
    if args.format == "json":
        json.dump({"version": 1, "tool": {"name": "nixls-assist", "version": __version__},
                   "option": answer.option, "definitions": rows,
                   "summary": {"files": answer.files, "definitions": len(rows),
                               "seconds": round(time.monotonic() - started, 3)}},
                  out, indent=2)
        out.write("\n")
    else:
        _text(answer.option, rows, answer.files, out)
    return 0 if rows else 1


def _row(definition: Any, cwd: Path, configurations: tuple[str, ...]) -> dict[str, Any]:
    lines = definition.doc.lines
    start, end = lines.position(definition.span.start), lines.position(definition.span.end)
    return {"file": relative_to_root(definition.file, cwd),
            "range": {"start": {"line": start[0], "character": start[1]},
                      "end": {"line": end[0], "character": end[1]}},
            "option": definition.option, "system": definition.system,
            "module": definition.module, "configurations": list(configurations)}


def _text(option: str, rows: list[dict[str, Any]], files: int, out: TextIO) -> None:
    if not rows:
        out.write(f"`{option}` is not defined in {files} file(s)\n")
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = ", ".join(row["configurations"]) or row["file"]
        groups.setdefault(key, []).append(row)
    for key, members in groups.items():
        out.write(f"{key}\n")
        for row in members:
            start = row["range"]["start"]
            where = f"{row['file']}:" if row["configurations"] else ""
            module = f", in {row['module']}" if row["module"] != "file" else ""
            system = row["system"] or "unknown option set"
            out.write(f"  {where}{start['line'] + 1}:{start['character'] + 1}  "
                      f"{row['option']}  ({system}{module})\n")
    names = {c for row in rows for c in row["configurations"]}
    loose = {row["file"] for row in rows if not row["configurations"]}
    places = [f"{len(names)} configuration(s)"] if names else []
    if loose:
        places.append(f"{len(loose)} file(s) of no known configuration" if names
                      else f"{len(loose)} file(s)")
    out.write(f"{len(rows)} definition(s) of `{option}` in {' and '.join(places)}\n")
