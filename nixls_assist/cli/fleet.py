"""`nixls-assist hosts` and `nixls-assist affected`: the fleet graph, rendered."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from nixls_assist.analysis import affected, changed_files, hosts_data, load_fleet


def add_fleet_parsers(subparsers: argparse._SubParsersAction) -> None:
    hosts = subparsers.add_parser(
        "hosts", help="list the flake's configurations and the module files each one uses",
        description="Every nixosConfigurations / darwinConfigurations / homeConfigurations "
                    "entry of the flake, its module files, and what could not be followed "
                    "without evaluating. Nothing is evaluated.")
    hosts.add_argument("path", nargs="?", default=".", help="the flake (default: .)")
    hosts.add_argument("--format", choices=("text", "json"), default="text")
    hosts.set_defaults(handler=run_hosts)

    changes = subparsers.add_parser(
        "affected", help="list the configurations a change touches",
        description="The configurations that use the given files, or the files changed "
                    "since a git ref. A change of flake.lock or of flake.nix's inputs "
                    "touches the configurations that use a changed input; any other "
                    "change of flake.nix touches every configuration.")
    changes.add_argument("paths", nargs="*", metavar="PATH", help="changed files")
    changes.add_argument("--since", metavar="REF",
                         help="take the files changed since this git ref (and untracked ones)")
    changes.add_argument("--flake", default=".", help="the flake (default: .)")
    changes.add_argument("--format", choices=("text", "json", "github-matrix"), default="text")
    changes.set_defaults(handler=run_affected)


def run_hosts(args: argparse.Namespace, out: TextIO) -> int:
    data = hosts_data(load_fleet(Path(args.path)))
    if args.format == "json":
        out.write(json.dumps(data, indent=2) + "\n")
        return 0
    for configuration in data["configurations"]:
        state = "complete" if configuration["complete"] else "incomplete"
        out.write(f"{configuration['attribute']}  ({configuration['kind']}, "
                  f"{len(configuration['modules'])} module files, {state})\n")
        for module in configuration["modules"]:
            out.write(f"  {module}\n")
        _write_unresolved(out, configuration["unresolved"], "  ")
    if data["unresolved"]:
        out.write("not followed in flake outputs:\n")
        _write_unresolved(out, data["unresolved"], "  ")
    if not data["configurations"] and not data["unresolved"]:
        out.write("no configurations\n")
    return 0


def _write_unresolved(out: TextIO, items: list[dict[str, Any]], indent: str) -> None:
    for item in items:
        out.write(f"{indent}? {item['file']}:{item['line']}: `{item['expression']}`: "
                  f"{item['reason']}\n")


def run_affected(args: argparse.Namespace, out: TextIO) -> int:
    fleet = load_fleet(Path(args.flake))
    files = [Path(p) for p in args.paths]
    if args.since is not None:
        files += changed_files(Path(args.flake), args.since)
    result = affected(fleet, files, args.since)
    attributes = [c.attribute for c in result.configurations]
    if args.format == "json":
        out.write(json.dumps({"version": 1, "configurations": attributes,
                              "complete": result.complete}, indent=2) + "\n")
    elif args.format == "github-matrix":
        include = [{"attribute": c.attribute, "name": c.name, "kind": c.kind}
                   for c in result.configurations]
        out.write(json.dumps({"include": include}, separators=(",", ":")) + "\n")
    else:
        for configuration in result.configurations:
            out.write(f"{configuration.attribute}  "
                      f"({', '.join(result.reasons[configuration.attribute])})\n")
        if not result.complete:
            out.write("incomplete: some configurations were not followed in full; "
                      "run `nixls-assist hosts` to see where\n")
    return 0
