"""The analysis layer: one workspace under the server and the CLI.

Front-ends (`server/`, `cli/`) hold a `Workspace` and convert its answers; they import
nothing below this package (syntax, context, rules, option_index). What they need to render
an answer (rule metadata for `explain` and SARIF, line positions) is re-exported here.
"""

from nixls_assist.analysis.documents import OpenDocument, uri_to_path
from nixls_assist.analysis.fixes import FixOutcome, is_secret, safe_fix
from nixls_assist.analysis.results import CheckReport, FileResult, FixRecord
from nixls_assist.analysis.workspace import Answer, Overrides, SlowStep, Workspace
from nixls_assist.context.config import FAIL_ON
from nixls_assist.context.release import normalise_release, release_forms, releases_after
from nixls_assist.rules.base import FixAvailability, Indexes, Rule, Tag
from nixls_assist.syntax.document import ParsedDocument, TextChange, release_retired
from nixls_assist.syntax.loading import DEFAULT_MAX_BYTES
from nixls_assist.syntax.positions import LineIndex
from option_index.sources.nix_files import relative_to_root, resolve_file

# Imported on first use, each from its module: `check` needs neither the fleet graph
# (`hosts`, `affected`) nor the upgrade report, and a run whose files all come from the
# result cache needs no rule (`nixls_assist.rules` imports the families on first use too).
_LAZY = {
    "nixls_assist.analysis.fleet": ("Affected", "affected", "changed_files", "hosts_data",
                                    "load_fleet", "membership_message", "membership_title"),
    "nixls_assist.analysis.upgrade": ("Change", "UpgradeReport", "batch_edits", "upgrade",
                                      "upgrade_workspace"),
    "nixls_assist.analysis.upgrade_report": ("already_due_line", "change_line", "report_json",
                                             "report_markdown"),
    "nixls_assist.features.code_actions": ("FIX_ALL", "QUICKFIX"),
    "nixls_assist.rules": ("ALL_RULES", "RULES_BY_CODE"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = _MODULE_OF[name]
    # The two upgrade modules together: importing `analysis.upgrade` binds the submodule
    # to the name `upgrade` here, which the function of that name must replace.
    group = [m for m in _LAZY if m.startswith("nixls_assist.analysis.upgrade")] \
        if module.startswith("nixls_assist.analysis.upgrade") else [module]
    for each in group:
        loaded = importlib.import_module(each)
        globals().update({n: getattr(loaded, n) for n in _LAZY[each]})
    return globals()[name]


__all__ = [
    "ALL_RULES", "DEFAULT_MAX_BYTES", "FAIL_ON", "FIX_ALL", "QUICKFIX", "RULES_BY_CODE",
    "Affected", "Answer", "Change", "CheckReport", "FileResult", "FixAvailability",
    "FixOutcome", "FixRecord", "Indexes", "LineIndex", "OpenDocument", "Overrides",
    "ParsedDocument", "Rule", "SlowStep", "Tag", "TextChange", "UpgradeReport", "Workspace",
    "affected", "already_due_line", "batch_edits", "change_line", "changed_files", "hosts_data",
    "is_secret",
    "load_fleet", "membership_message", "membership_title", "normalise_release",
    "relative_to_root", "release_forms", "release_retired", "releases_after", "report_json",
    "report_markdown", "resolve_file", "safe_fix", "upgrade", "upgrade_workspace",
    "uri_to_path",
]
