"""The commands of `nixls-assist` (all but `serve`, which `nixls_assist.__main__` starts)."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Sequence

from nixls_assist import __version__
from nixls_assist.errors import NixlsError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


# Each command: the module that defines it, the function there that adds its parser (and
# sets `handler(args, out) -> exit code`), and its line in `--help`. Only the module of the
# command being run is imported: `check` never loads the index downloader (httpx), `--help`
# loads none of them. tests/cli/test_startup.py checks these lines against the modules.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("nixls_assist.cli.check", "add_check_parser",
              "check Nix files and report findings"),
    "explain": ("nixls_assist.cli.explain", "add_explain_parser",
                "explain a finding code (what, why, how to fix)"),
    "hosts": ("nixls_assist.cli.fleet", "add_fleet_parsers",
              "list the flake's configurations and the module files each one uses"),
    "affected": ("nixls_assist.cli.fleet", "add_fleet_parsers",
                 "list the configurations a change touches"),
    "imperative": ("nixls_assist.cli.imperative", "add_imperative_parser",
                   "list packages installed imperatively that the workspace does not declare"),
    "index": ("nixls_assist.cli.index", "add_index_parser",
              "see, build or download option indexes"),
    "where": ("nixls_assist.cli.where", "add_where_parser",
              "list every definition of an option across the workspace"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the full subparsers of `command`'s module (every module's when None)
    and a placeholder carrying the help line for each other command."""
    parser = argparse.ArgumentParser(
        prog="nixls-assist",
        description="Release-aware language server and checker for Nix configurations.",
    )
    parser.add_argument("--version", action="version", version=f"nixls-assist {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    subparsers = parser.add_subparsers(dest="command", required=True)
    wanted = None if command is None else COMMANDS[command][0]
    for name, (module_name, adder, help_line) in COMMANDS.items():
        if name in subparsers.choices:  # added with another command of its module
            continue
        if wanted is None or module_name == wanted:
            getattr(importlib.import_module(module_name), adder)(subparsers)
        else:
            subparsers.add_parser(name, help=help_line)
    if "index" in subparsers.choices and command in (None, "index"):
        from nixls_assist.cli.index import run_index

        subparsers.choices["index"].set_defaults(
            handler=lambda args, out: run_index(args, out, sys.stderr)
        )
    # Started by nixls_assist.__main__ before this parser is built; listed for --help.
    subparsers.add_parser("serve", help="run the language server on stdio")
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word after the top-level
    options, none of which takes a value), or None."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(argv))
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return guarded(lambda: handler(args, sys.stdout), debug=args.debug)
    parser.error(f"unknown command {args.command}")


def guarded(run: Callable[[], int], *, debug: bool) -> int:
    try:
        return run()
    except NixlsError as exc:
        print(f"nixls-assist: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the one catch-all: a bug must not print a bare traceback
        if debug:
            traceback.print_exc()
        else:
            print(f"nixls-assist: internal error: {type(exc).__name__}: {exc} "
                  "(run with --debug for details and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
