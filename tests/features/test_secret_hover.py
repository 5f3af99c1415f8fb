"""features/secret_hover.py through hover_at: the registry entry, the file, the users."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nixls_assist.context.resolver import ContextResolver
from nixls_assist.features.hover import hover_at
from nixls_assist.syntax.document import parse

WORKSPACE = Path(__file__).resolve().parent.parent / "e2e" / "workspaces" / "secrets-fleet"


def _hover(relative: str, text: str, workspace: Path = WORKSPACE):
    offset = text.index("$0")
    path = workspace / relative
    doc = parse(text.replace("$0", "").encode(), str(path))
    ctx = ContextResolver().context_for(doc, path)
    return hover_at(doc, ctx, None, offset)


DB = """{ config, ... }:
{
  age.secrets.post$0gres = {
    file = ../../secrets/postgres.age;
    owner = "postgres";
  };
}
"""


def test_agenix_secret_shows_entry_recipients_file_and_configurations():
    result = _hover("hosts/db/default.nix", DB)
    assert result is not None
    text = result.markdown
    assert "**agenix secret `postgres`**" in text
    assert "`secrets/postgres.age` — exists, encrypted (age header)" in text
    assert "`postgres.age` in `secrets/secrets.nix` · *recipients:* `db`, `admin`" in text
    assert "*Used by:* `nixosConfigurations.db`" in text
    assert "nixosConfigurations.web" not in text
    assert "AAAA" not in text  # never a key


@pytest.mark.parametrize(("text", "expected"), [
    ("{\n  age.secrets.wifi.fi$0le = ../secrets/wifi.age;\n}\n",
     "*Used by:* `nixosConfigurations.web`, `nixosConfigurations.db`"),
    ("{\n  age.secrets.vpn.fi$0le = ../secrets/vpn.age;\n}\n",
     "`secrets/vpn.age` — **does not exist**"),
    ("{ inputs, ... }:\n{\n  age.secrets.vpn.fi$0le = inputs.secrets + \"/vpn.age\";\n}\n",
     "from flake input `secrets`: not checked (another repository)"),
    ("{ config, ... }:\n{\n  age.secrets.vpn.fi$0le = ./${config.networking.hostName}.age;\n}\n",
     "not resolved (another flake input, a computed path or a runtime path): not checked"),
])
def test_agenix_file_attribute(text, expected):
    result = _hover("hosts/common.nix", text)
    assert result is not None and expected in result.markdown


def test_unregistered_age_file_is_named(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(WORKSPACE, workspace)
    (workspace / "secrets" / "wifi2.age").write_bytes(b"age-encryption.org/v1\n-> x\n")
    text = "{\n  age.secrets.post$0gres.file = ../secrets/wifi2.age;\n}\n"
    result = _hover("hosts/common.nix", text, workspace)
    assert result is not None
    assert "*Registry:* **not a key** of `secrets/secrets.nix`" in result.markdown


WEB = """{ config, ... }:
{
  sops.defaultSopsFile = ./secrets.yaml;
  sops.secrets."nginx/basic-auth" = { owner = "nginx"; };
  sops.secrets.acme-$0token = { };
}
"""


def test_sops_secret_shows_creation_rule_key_groups_and_key():
    result = _hover("hosts/web/default.nix", WEB)
    assert result is not None
    text = result.markdown
    assert "**sops-nix secret `acme-token`**" in text
    assert "*defaultSopsFile:* `hosts/web/secrets.yaml` — exists" in text
    assert "sops metadata present · *key* `acme-token` **not in the file**" in text
    assert "#1 of `.sops.yaml` `path_regex: hosts/web/[^/]+\\.yaml$`" in text
    assert "key_groups: 1 group (age: 2 keys)" in text
    assert "age1" not in text
    assert "*Used by:* `nixosConfigurations.web`" in text


def test_no_secret_hover_on_other_options_or_on_age_secrets_itself():
    assert _hover("hosts/common.nix", "{\n  networking.host$0Name = \"x\";\n}\n") is None
    assert _hover("hosts/common.nix",
                  "{\n  age.sec$0rets.wifi.file = ../secrets/wifi.age;\n}\n") is None
