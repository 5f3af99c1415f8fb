"""Entry point of the `nixls-assist` console script."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from nixls_assist import __version__
from nixls_assist.cli.check import add_check_parser
from nixls_assist.cli.explain import add_explain_parser
from nixls_assist.cli.imperative import add_imperative_parser
from nixls_assist.errors import NixlsError
from option_index.cli import add_index_parser, run_index

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
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
    add_imperative_parser(subparsers)
    add_index_parser(subparsers)
    subparsers.choices["index"].set_defaults(
        handler=lambda args, out: run_index(args, out, sys.stderr)
    )
    subparsers.add_parser("serve", help="run the language server on stdio")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        handler = getattr(args, "handler", None)
        if handler is not None:
            return handler(args, sys.stdout)
        if args.command == "serve":
            from nixls_assist.server.app import run_stdio

            run_stdio()
            return EXIT_OK
        parser.error(f"unknown command {args.command}")
    except NixlsError as exc:
        print(f"nixls-assist: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the one catch-all: a bug must not print a bare traceback
        if args.debug:
            traceback.print_exc()
        else:
            print(f"nixls-assist: internal error: {type(exc).__name__}: {exc} "
                  "(run with --debug for details and please report it)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
