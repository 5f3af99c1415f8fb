"""From a file's release pin to option indexes: one cached index per (system, release)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nixls_assist.context.release import UNSTABLE, ReleasePin
from option_index.index import OptionIndex, open_index
from option_index.releases import next_release, release_for_date

SYSTEMS = ("nixos", "home-manager")


class IndexProvider:
    """Opens indexes lazily and keeps them; shared by the CLI run and the server session."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self._cache_dir = cache_dir
        self._on_notice = on_notice
        self._open: dict[tuple[str, str], OptionIndex] = {}

    def effective_release(self, system: str, pin: ReleasePin) -> str:
        """The release whose drift certainly applies: unstable at a date → the release
        branched off before that date."""
        if pin.release == UNSTABLE and pin.date is not None:
            return release_for_date(pin.date, system=system)
        return pin.release

    def get(self, system: str, pin: ReleasePin | None) -> OptionIndex | None:
        if pin is None or system not in SYSTEMS:
            return None
        return self.for_release(system, self.effective_release(system, pin))

    def newer(self, system: str, pin: ReleasePin) -> OptionIndex | None:
        """For an unstable pin, the next release's index: an option that exists there may
        already exist on the pinned unstable revision."""
        if pin.release != UNSTABLE:
            return None
        return self.for_release(system, next_release(self.effective_release(system, pin)))

    def for_release(self, system: str, release: str) -> OptionIndex:
        key = (system, release)
        if key not in self._open:
            self._open[key] = open_index(
                system, release, cache_dir=self._cache_dir, on_notice=self._on_notice
            )
        return self._open[key]
