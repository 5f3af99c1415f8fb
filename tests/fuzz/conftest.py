"""Fuzz mode: a short seeded budget by default, a long random one with `--fuzz-long` or
`NIXLS_FUZZ_LONG=N` (N scales the examples per test; 1 means the default long budget)."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.invariants import COUNTER

SHORT_EXAMPLES = 60
LONG_EXAMPLES = 25_000


def long_factor() -> int:
    raw = os.environ.get("NIXLS_FUZZ_LONG", "")
    if not raw or raw == "0":
        return 0
    return int(raw) if raw.isdigit() else 1


def fuzz_settings(weight: float = 1.0) -> settings:
    """Settings for one fuzz test; `weight` scales its budget (slow targets get less)."""
    factor = long_factor()
    # No `explain` phase: its line tracing makes shrinking a failure take many minutes.
    common = {"deadline": None, "database": None, "print_blob": True,
              "suppress_health_check": list(HealthCheck),
              "phases": [p for p in Phase if p is not Phase.explain]}
    if factor:
        return settings(max_examples=max(1, int(LONG_EXAMPLES * factor * weight)),
                        derandomize=False, **common)
    return settings(max_examples=max(1, int(SHORT_EXAMPLES * weight)), derandomize=True,
                    **common)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--fuzz-long", default=False) and not long_factor():
        os.environ["NIXLS_FUZZ_LONG"] = "1"


_STARTED = time.monotonic()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    line = (f"fuzz: {COUNTER.inputs} Nix documents and {COUNTER.data_inputs} lock / options / "
            f"config inputs checked, {COUNTER.findings} findings, {COUNTER.fixes_applied} safe "
            f"fixes applied in {time.monotonic() - _STARTED:.0f}s "
            f"({'long' if long_factor() else 'short'} mode)")
    terminalreporter.write_line(line)
    if log := os.environ.get("NIXLS_FUZZ_LOG"):
        with open(log, "a", encoding="utf-8") as out:
            out.write(line + "\n")
