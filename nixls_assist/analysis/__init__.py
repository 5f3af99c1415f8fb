"""The analysis layer: one workspace under the server and the CLI.

Front-ends (`server/`, `cli/`) hold a `Workspace` and convert its answers; they import
nothing below this package (syntax, context, rules, option_index). What they need to render
an answer (rule metadata for `explain` and SARIF, line positions) is re-exported here.
"""

from nixls_assist.analysis.documents import OpenDocument, uri_to_path
from nixls_assist.analysis.fixes import FixOutcome, is_secret, safe_fix
from nixls_assist.analysis.results import CheckReport, FileResult, FixRecord
from nixls_assist.analysis.upgrade import (
    Change,
    UpgradeReport,
    batch_edits,
    upgrade,
    upgrade_workspace,
)
from nixls_assist.analysis.upgrade_report import change_line, report_json, report_markdown
from nixls_assist.analysis.workspace import Answer, Overrides, SlowStep, Workspace
from nixls_assist.context.config import FAIL_ON
from nixls_assist.context.release import normalise_release, release_forms, releases_after
from nixls_assist.features.code_actions import FIX_ALL, QUICKFIX
from nixls_assist.rules import ALL_RULES, RULES_BY_CODE
from nixls_assist.rules.base import FixAvailability, Indexes, Rule, Tag
from nixls_assist.syntax.document import ParsedDocument, TextChange, release_retired
from nixls_assist.syntax.loading import DEFAULT_MAX_BYTES
from nixls_assist.syntax.positions import LineIndex
from option_index.sources.nix_files import resolve_file

# The fleet graph (`hosts`, `affected`) is imported on first use: `check` does not need it.
_FLEET = frozenset({"Affected", "affected", "changed_files", "hosts_data", "load_fleet",
                    "membership_message", "membership_title"})


def __getattr__(name: str) -> object:
    if name in _FLEET:
        from nixls_assist.analysis import fleet

        return getattr(fleet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALL_RULES", "DEFAULT_MAX_BYTES", "FAIL_ON", "FIX_ALL", "QUICKFIX", "RULES_BY_CODE",
    "Affected", "Answer", "Change", "CheckReport", "FileResult", "FixAvailability",
    "FixOutcome", "FixRecord", "Indexes", "LineIndex", "OpenDocument", "Overrides",
    "ParsedDocument", "Rule", "SlowStep", "Tag", "TextChange", "UpgradeReport", "Workspace",
    "affected", "batch_edits", "change_line", "changed_files", "hosts_data", "is_secret",
    "load_fleet", "membership_message", "membership_title", "normalise_release",
    "release_forms", "release_retired", "releases_after", "report_json", "report_markdown",
    "resolve_file", "safe_fix", "upgrade", "upgrade_workspace",
    "uri_to_path",
]
