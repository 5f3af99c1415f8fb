"""The embedded default data answers the questions the rules ask (no ../shared needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from option_index.model import Lookup
from option_index.paths import show_path, split_path
from option_index.releases import (
    KNOWN_RELEASES,
    next_release,
    normalize_release,
    release_for_date,
    release_key,
)


def P(text: str) -> tuple[str, ...]:
    return split_path(text)


# --- releases ---------------------------------------------------------------------------------

def test_release_order_and_names():
    assert release_key("24.11") == (24, 11)
    assert release_key("unstable") == (99, 99)
    assert release_key("22.11") < release_key("23.05") < release_key("unstable")
    assert KNOWN_RELEASES[0] == "22.11" and KNOWN_RELEASES[-1] == "26.05"
    assert normalize_release("nixos-24.11") == "24.11"
    assert normalize_release("release-25.05") == "25.05"
    assert normalize_release("nixos-unstable") == "unstable"
    assert next_release("24.11") == "25.05" and next_release("25.05") == "25.11"
    with pytest.raises(ValueError):
        release_key("24.1")


def test_release_for_date():
    assert release_for_date(dt.date(2024, 12, 19)) == "24.11"
    assert release_for_date(dt.date(2024, 6, 1)) == "24.05"
    assert release_for_date(dt.date(2020, 1, 1)) == "22.11"
    assert release_for_date(dt.date(2024, 11, 20), system="home-manager") == "24.11"


def test_paths_round_trip():
    p = ("programs", "anki", "profiles", "User 1", "sync", "url")
    assert show_path(p) == 'programs.anki.profiles."User 1".sync.url'
    assert split_path(show_path(p)) == p
    assert show_path(("users", "users", "<name>", "uid")) == "users.users.<name>.uid"


# --- home-manager -----------------------------------------------------------------------------

def test_exa_exists_in_2305_not_2311(hm):
    assert hm("23.05").lookup(P("programs.exa.enable"))[0] is Lookup.FOUND
    later = hm("23.11")
    assert later.has_option_set
    assert later.lookup(P("programs.exa.enable"))[0] is Lookup.UNKNOWN
    record = later.drift(P("programs.exa.enable"))
    assert record.kind == "renamed" and record.to_path == "programs.eza.enable"
    assert record.release == "23.11"


def test_zsh_autosuggestions_rename_between_2311_and_2405(hm):
    old = P("programs.zsh.enableAutosuggestions")
    assert hm("23.11").lookup(old)[0] is Lookup.FOUND
    assert hm("23.11").drift(old) is None
    record = hm("24.05").drift(old)
    assert record.kind == "renamed"
    assert record.to_path == "programs.zsh.autosuggestion.enable"
    assert record.release == "24.05"
    assert hm("24.05").lookup(P("programs.zsh.autosuggestion.enable"))[0] is Lookup.FOUND
    assert hm("23.11").added_later(P("programs.zsh.autosuggestion.enable")) == "24.05"


def test_git_username_gone_in_2511(hm):
    path = P("programs.git.userName")
    assert hm("25.05").lookup(path)[0] is Lookup.FOUND
    assert hm("25.11").lookup(path)[0] is Lookup.UNKNOWN
    record = hm("25.11").drift(path)
    assert record.to_path == "programs.git.settings.user.name"
    assert hm("unstable").drift(path).to_path == "programs.git.settings.user.name"


def test_placeholder_lookups(hm):
    ix = hm("24.11")
    outcome, opt = ix.lookup(P('home.file.".config/foo".text'))
    assert outcome is Lookup.FOUND and opt.path == "home.file.<name>.text"
    outcome, opt = ix.lookup(P("programs.git.includes.*.path"))
    assert outcome is Lookup.FOUND and opt.path == "programs.git.includes.*.path"
    outcome, opt = ix.lookup(P("accounts.email.accounts.work.address"))
    assert outcome is Lookup.FOUND
    assert ix.lookup(P("home.file.*.text"))[0] is Lookup.FOUND  # interpolated name
    assert ix.lookup(P("accounts.email.accounts.work.nope"))[0] is Lookup.UNKNOWN


def test_freeform_prefix_and_not_indexed(hm):
    ix = hm("25.11")
    outcome, opt = ix.lookup(P("programs.git.settings.user.name"))
    assert outcome is Lookup.UNDER_FREEFORM and opt.path == "programs.git.settings"
    assert opt.freeform
    assert ix.lookup(P("programs.git"))[0] is Lookup.PREFIX
    assert ix.lookup(P("sops.secrets.foo"))[0] is Lookup.NOT_INDEXED
    assert ix.lookup(P("home.sessionVariables.EDITOR"))[0] is Lookup.UNDER_FREEFORM
    assert ix.lookup(P("programs.git.nonsense"))[0] is Lookup.UNKNOWN


def test_option_markers(hm):
    ix = hm("24.11")
    assert ix.get("programs.git.package").is_package
    assert ix.get("home.file").submodule == "attrs"
    assert ix.get("programs.git.includes").submodule == "list"
    assert ix.get("programs.git.enable").description is None  # prose is not embedded


def test_children_and_suggest(hm):
    ix = hm("24.11")
    names = [n for n, _ in ix.children(P("programs.git"))]
    assert "enable" in names and "userName" in names
    under = dict(ix.children(P("home.file.foo")))
    assert "text" in under and under["text"].path == "home.file.<name>.text"
    assert ix.suggest(P("programs.git.enabel")) == ["programs.git.enable"]
    assert "programs.git.enable" in ix.suggest(P("programs.gti.enable"))


def test_added_later_none_when_present_or_never(hm):
    ix = hm("24.11")
    assert ix.added_later(P("programs.git.enable")) is None
    assert ix.added_later(P("programs.definitely-not.enable")) is None
    assert ix.added_later(P("programs.git.settings")) == "25.11"


def test_hidden_hm_options_read_from_the_source(hm):
    # `visible = false` options of one builder in modules/programs/chromium.nix: left out of
    # the manual, declared in release-24.05's source
    ix = hm("24.05")
    for path in (
        "programs.brave.enable",
        "programs.vivaldi.extensions",
        "programs.google-chrome.commandLineArgs",
        "home.activationPackage",
    ):
        assert ix.lookup(P(path))[0] is Lookup.FOUND, path
    assert "module source" in (ix.get("programs.brave.enable").description or "")
    # google-chrome's extensions are a removal shim in 24.05, not an option
    assert ix.lookup(P("programs.google-chrome.extensions"))[0] is Lookup.UNKNOWN
    assert ix.drift(P("programs.google-chrome.extensions")).kind == "removed"
    assert ix.added_later(P("programs.brave.enable")) is None


def test_added_later_needs_evidence_from_the_source(hm):
    ix = hm("24.05")
    # chromium.nix of release-25.05 declares it, the one of release-24.05 does not
    assert ix.added_later_proven(P("programs.brave.nativeMessagingHosts")) == "25.05"
    # a module that only exists from 25.11 on
    assert hm("25.05").added_later_proven(P("programs.delta.enable")) == "25.11"
    assert ix.added_later_proven(P("programs.git.enable")) is None


def test_hm_submodule_scoped_drift(hm):
    record = hm("25.05").drift(P("accounts.contact.accounts.work.khard.defaultCollection"))
    assert record.to_path == "accounts.contact.accounts.work.khard.addressbooks"


def test_hm_release_without_option_set(hm):
    ix = hm("22.11")
    assert not ix.has_option_set
    assert ix.lookup(P("programs.git.nonsense"))[0] is Lookup.NOT_INDEXED


# --- NixOS ------------------------------------------------------------------------------------

def test_opengl_renamed_in_2411_not_2405(nixos):
    record = nixos("24.11").drift(P("hardware.opengl.enable"))
    assert record.kind == "renamed" and record.to_path == "hardware.graphics.enable"
    assert record.release == "24.11" and record.release_inferred
    assert nixos("24.05").drift(P("hardware.opengl.enable")) is None
    assert nixos("unstable").drift(P("hardware.opengl.driSupport32Bit")).to_path == \
        "hardware.graphics.enable32Bit"


def test_nixos_embedded_never_says_unknown(nixos):
    ix = nixos("24.11")
    assert not ix.has_option_set and ix.has_reference_set
    assert ix.lookup(P("services.nope.enable"))[0] is Lookup.NOT_INDEXED
    assert ix.lookup(P("users.users.alice.isNormalUser"))[0] is Lookup.FOUND
    assert ix.lookup(P("services.openssh.settings.PermitRootLogin"))[0] is Lookup.FOUND
    assert ix.lookup(P("services.openssh.settings.X11Forwarding"))[0] in (
        Lookup.FOUND, Lookup.UNDER_FREEFORM)
    assert ix.added_later(P("services.nope.enable")) is None
    old = nixos("23.05")
    assert not old.has_reference_set
    assert old.lookup(P("services.openssh.enable"))[0] is Lookup.NOT_INDEXED


def test_nixos_chain_and_reintroduced(nixos):
    record = nixos("25.11").drift(P("nix.readOnlyStore"))
    assert record.kind == "removed" and record.chain == ("boot.readOnlyNixStore",)
    assert nixos("24.05").drift(P("nix.readOnlyStore")).to_path == "boot.readOnlyNixStore"
    assert nixos("22.11").drift(P("services.osquery.enable")) is not None
    assert nixos("23.11").drift(P("services.osquery.enable")) is None


def test_nixos_openssh_settings_rename_and_placeholder_record(nixos):
    record = nixos("23.05").drift(P("services.openssh.permitRootLogin"))
    assert record.to_path == "services.openssh.settings.PermitRootLogin"
    record = nixos("24.05").drift(P("services.postgresql.ensureUsers.*.ensurePermissions"))
    assert record is not None and record.kind == "removed"
