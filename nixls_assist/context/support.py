"""How long each NixOS stable release gets security updates: facts, with where they come from.

A NixOS stable release is supported until about one month after the next one is released
(end of June for a `YY.11`, end of December for a `YY.05`). Only dates read from a source
are listed; a release older than a listed one ended no later than that one (a release is
never supported past its successor), and a release newer than all of them is not judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nixls_assist.context.release import UNSTABLE

# release -> last day of support
SUPPORT_ENDS: dict[str, dt.date] = {
    # nixos/doc/manual/release-notes/rl-2211.section.md: "supported until the end of June 2023"
    "22.11": dt.date(2023, 6, 30),
    # nixos/doc/manual/release-notes/rl-2305.section.md: "Support is planned until the end
    # of December 2023"
    "23.05": dt.date(2023, 12, 31),
    # endoflife.date/api/v1/products/nixos (releasePolicy: nixos.org/blog/announcements):
    # 24.05 eolFrom 2024-12-31, 24.11 eolFrom 2025-06-30, 25.05 eolFrom 2025-12-31,
    # 25.11 eolFrom 2026-06-30
    "24.05": dt.date(2024, 12, 31),
    "24.11": dt.date(2025, 6, 30),
    "25.05": dt.date(2025, 12, 31),
    "25.11": dt.date(2026, 6, 30),
}


@dataclass(frozen=True)
class LockAge:
    """How old a locked nixpkgs / home-manager / nix-darwin may get (NXA602), in days."""

    info_days: int = 90
    warning_days: int = 365


@dataclass(frozen=True)
class SupportEnd:
    date: dt.date
    exact: bool  # False: an upper bound (the release is older than every listed one)


def _key(release: str) -> tuple[int, int]:
    year, month = release.split(".")
    return int(year), int(month)


def support_end(release: str) -> SupportEnd | None:
    """When `release` (`24.11`) stopped getting security updates; None for `unstable`, a
    release newer than the table, or something that is no release."""
    if release == UNSTABLE:
        return None
    if release in SUPPORT_ENDS:
        return SupportEnd(SUPPORT_ENDS[release], exact=True)
    try:
        key = _key(release)
    except ValueError:
        return None
    later = [date for name, date in SUPPORT_ENDS.items() if _key(name) > key]
    if not later or key > max(_key(name) for name in SUPPORT_ENDS):
        return None
    return SupportEnd(min(later), exact=False)


def is_end_of_life(release: str, today: dt.date) -> SupportEnd | None:
    """The support end of `release` when it is past on `today`, else None."""
    end = support_end(release)
    return end if end is not None and today > end.date else None
