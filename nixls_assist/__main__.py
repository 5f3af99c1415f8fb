"""The `nixls-assist` console script and `python -m nixls_assist`.

`serve` starts the language server directly: an editor's cold start never imports the other
commands, and the CLI never imports the server. `--version` imports nothing else. `check`
first asks the run cache (`run_cache.py`), which replays an unchanged repository's output.
"""

import sys
from collections.abc import Sequence

# The exact command lines that start the language server.
SERVE_ARGV = (["serve"], ["--debug", "serve"])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # answered before argparse and the commands are imported
        from nixls_assist import __version__

        print(f"nixls-assist {__version__}")
        return 0
    if argv in SERVE_ARGV:
        from nixls_assist.cli.main import guarded

        return guarded(_serve, debug="--debug" in argv)
    if _command(argv) == "check":
        return _check(argv)
    from nixls_assist.cli.main import main as run_command

    return run_command(argv)


def _command(argv: Sequence[str]) -> str | None:
    """The first word after the top-level options (none of which takes a value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _check(argv: list[str]) -> int:
    """`check`: the recorded output when nothing it observed changed (before anything of the
    checker is imported), else a run that records what it observes."""
    from nixls_assist import run_cache

    if "-" in argv or "--fix" in argv or "--diff" in argv:  # never recorded: skip the look-up
        from nixls_assist.cli.main import main as run_command

        return run_command(argv)
    code = run_cache.replay(argv)
    if code is not None:
        return code
    recording = run_cache.start(argv)
    code = None
    try:
        from nixls_assist.cli.main import main as run_command

        code = run_command(argv)
    finally:
        run_cache.finish(recording, code)
    return code


def _serve() -> int:
    import gc

    # Start-up creates long-lived objects (lsprotocol's ~600 attrs classes, the rules): full
    # and middle collections while importing only re-scan survivors (~50 ms). Young ones
    # still run, so attrs' discarded class copies are freed; run_stdio then freezes what
    # survived and sets the serving thresholds.
    gc.set_threshold(2_000, 1_000_000, 1_000_000)
    from nixls_assist.server.app import run_stdio

    run_stdio()
    return 0


if __name__ == "__main__":
    sys.exit(main())
