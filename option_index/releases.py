"""Release names and their order, and which release a point in time belongs to.

Everything that compares releases goes through `release_key`, so "unstable" sorts after every
numbered release and "nixos-24.11" / "release-24.11" / "24.11" all mean the same thing.
"""

from __future__ import annotations

import datetime as _dt
import re

UNSTABLE = "unstable"
#: Suffix of a store release entry holding the option paths read from that release's source
#: (not an option set of its own: the evidence "added in a later release" needs).
SOURCE_SUFFIX = "+source"

#: NixOS / home-manager stable releases the embedded data and the rules know about.
KNOWN_RELEASES: tuple[str, ...] = (
    "22.11", "23.05", "23.11", "24.05", "24.11", "25.05", "25.11", "26.05",
)

# Branch-off dates. home-manager's are exact (merge-base of master and release-XX.YY, from
# ../shared/data/home-manager/index.json); nixpkgs' are the approximate branch-off days of the
# release branches (the release itself follows about a week or two later). A date between a
# branch-off and the next one is "that release" for drift: unstable at that date has every
# rename of that release and maybe some of the next.
_BRANCH_OFF_NIXOS: dict[str, _dt.date] = {
    "22.11": _dt.date(2022, 11, 21),
    "23.05": _dt.date(2023, 5, 22),
    "23.11": _dt.date(2023, 11, 20),
    "24.05": _dt.date(2024, 5, 20),
    "24.11": _dt.date(2024, 11, 18),
    "25.05": _dt.date(2025, 5, 13),
    "25.11": _dt.date(2025, 11, 17),
    "26.05": _dt.date(2026, 5, 18),
}
_BRANCH_OFF_HOME_MANAGER: dict[str, _dt.date] = {
    **_BRANCH_OFF_NIXOS,
    "23.05": _dt.date(2023, 5, 31),
    "23.11": _dt.date(2023, 11, 24),
    "24.05": _dt.date(2024, 5, 17),
    "24.11": _dt.date(2024, 11, 17),
    "25.05": _dt.date(2025, 5, 18),
    "25.11": _dt.date(2025, 11, 26),
    "26.05": _dt.date(2026, 5, 25),
}

_NUMBERED = re.compile(r"(\d{2})\.(\d{2})")
_PREFIXED = re.compile(
    r"(?:nixos-|nixpkgs-|release-|nixos/|home-manager/)?(\d{2}\.\d{2})(?:pre.*)?"
)
_UNSTABLE_ALIASES = frozenset(
    {"unstable", "master", "main", "nixos-unstable", "nixpkgs-unstable", "nixos-unstable-small"}
)


def release_key(release: str) -> tuple[int, int]:
    """Sort key of a release: "24.11" -> (24, 11), "unstable"/"master" -> (99, 99).

    Raises ValueError for anything else, so a typo never silently sorts first.
    """
    if release in _UNSTABLE_ALIASES:
        return (99, 99)
    m = _NUMBERED.fullmatch(release)
    if m is None:
        raise ValueError(f"not a release: {release!r} (expected YY.MM or 'unstable')")
    return (int(m.group(1)), int(m.group(2)))


def normalize_release(text: str) -> str:
    """Canonical release of a branch-like text: "nixos-24.11" -> "24.11", "master" -> "unstable"."""
    text = text.strip()
    if text in _UNSTABLE_ALIASES:
        return UNSTABLE
    m = _PREFIXED.fullmatch(text)
    if m is None:
        raise ValueError(f"not a release: {text!r} (expected e.g. 24.11, nixos-24.11 or unstable)")
    return m.group(1)


def release_for_date(d: _dt.date, *, system: str = "nixos") -> str:
    """The latest stable release branched off on or before `d` (2024-12-19 -> "24.11").

    Use it for an unstable pin: unstable at `d` has (at least) every change of that release, so
    drift up to it applies; options that do not exist yet are judged against `next_release`.
    Dates before the first known branch-off give the first known release.
    """
    table = _BRANCH_OFF_HOME_MANAGER if system == "home-manager" else _BRANCH_OFF_NIXOS
    best = KNOWN_RELEASES[0]
    for release, branched in table.items():
        if branched <= d and release_key(release) > release_key(best):
            best = release
    return best


def next_release(release: str) -> str:
    """The release after `release` ("24.11" -> "25.05"; "unstable" stays "unstable")."""
    year, month = release_key(release)
    if (year, month) == (99, 99):
        return UNSTABLE
    return f"{year:02d}.11" if month < 11 else f"{year + 1:02d}.05"
