"""Fixtures for option_index tests: a private cache dir and indexes opened in it.

`shared_data` (real ../shared/data, or skip) comes from tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from option_index.index import OptionIndex, open_index

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def hm(cache_dir: Path):
    def at(release: str) -> OptionIndex:
        return open_index("home-manager", release, cache_dir=cache_dir)
    return at


@pytest.fixture
def nixos(cache_dir: Path):
    def at(release: str) -> OptionIndex:
        return open_index("nixos", release, cache_dir=cache_dir)
    return at
