"""The commands of `nixls-assist` (all but `serve`, which `nixls_assist.__main__` starts)."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

from nixls_assist import __version__
from nixls_assist.errors import NixlsError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    # The subcommands' modules (output formats, fixes, the index downloader and httpx…) are
    # imported here, not at module level: `serve` never builds this parser.
    from nixls_assist.cli.check import add_check_parser
    from nixls_assist.cli.explain import add_explain_parser
    from nixls_assist.cli.fleet import add_fleet_parsers
    from nixls_assist.cli.imperative import add_imperative_parser
    from nixls_assist.cli.index import add_index_parser, run_index
    from nixls_assist.cli.upgrade import add_upgrade_parser
    from nixls_assist.cli.where import add_where_parser

    parser = argparse.ArgumentParser(
        prog="nixls-assist",
        description="Release-aware language server and checker for Nix configurations.",
    )
    parser.add_argument("--version", action="version", version=f"nixls-assist {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    subparsers = parser.add_subparsers(dest="command", required=True)
    # Each subcommand's add_*_parser sets `handler(args, out) -> exit code`.
    add_check_parser(subparsers)
    add_explain_parser(subparsers)
    add_fleet_parsers(subparsers)
    add_imperative_parser(subparsers)
    add_index_parser(subparsers)
    add_upgrade_parser(subparsers)
    add_where_parser(subparsers)
    subparsers.choices["index"].set_defaults(
        handler=lambda args, out: run_index(args, out, sys.stderr)
    )
    # Started by nixls_assist.__main__ before this parser is built; listed for --help.
    subparsers.add_parser("serve", help="run the language server on stdio")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
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
