"""textDocument/hover: options at the pinned release, drift notes, skill references."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import SHARED
from tests.e2e.conftest import FLAKE_2411, diagnostics_for, initialize, open_file, range_of

REFERENCES = SHARED / "skill-references"


def _position(text: str, needle: str, delta: int = 1) -> types.Position:
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def _hover(client, path: Path, needle: str, delta: int = 1) -> types.Hover | None:
    uri = open_file(client, path)
    await diagnostics_for(client, uri, 1)
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_position(path.read_text(), needle, delta)))


async def test_hover_on_option_shows_type_default_and_index(client):
    await initialize(client, FLAKE_2411)
    hover = await _hover(client, FLAKE_2411 / "configuration.nix", "PermitRootLogin")
    assert hover is not None
    text = hover.contents.value
    assert "`services.openssh.settings.PermitRootLogin`" in text and "24.11" in text
    assert "*Type:*" in text and "prohibit-password" in text
    assert "*Index:*" in text and "flake.lock" in text
    assert range_of(hover.range) == "19:13-19:28"


async def test_hover_on_renamed_option_says_what_to_use(client):
    await initialize(client, FLAKE_2411)
    hover = await _hover(client, FLAKE_2411 / "configuration.nix", "opengl")
    assert hover is not None
    assert "renamed** to `hardware.graphics.enable` in 24.11" in hover.contents.value


async def test_hover_on_home_manager_option_uses_the_home_manager_index(client):
    await initialize(client, FLAKE_2411)
    hover = await _hover(client, FLAKE_2411 / "home.nix", "userEmail")
    assert hover is not None
    text = hover.contents.value
    assert "`programs.git.userEmail`" in text and "home-manager 24.11" in text


async def test_hover_on_plain_value_is_empty(client):
    await initialize(client, FLAKE_2411)
    assert await _hover(client, FLAKE_2411 / "configuration.nix", '"Europe/Berlin"', 3) is None


@pytest.mark.skipif(not REFERENCES.is_dir(), reason="../shared/skill-references is absent")
async def test_hover_shows_skill_reference_section_with_its_source(client):
    await initialize(client, FLAKE_2411, options={"skillReferences": [str(REFERENCES)]})
    hover = await _hover(client, FLAKE_2411 / "configuration.nix", "mkIf")
    assert hover is not None
    text = hover.contents.value
    assert text.startswith("**mkMerge, mkForce, mkDefault, mkIf, mkOverride**")
    assert "from `configuration-and-modules.md`" in text


@pytest.mark.skipif(not REFERENCES.is_dir(), reason="../shared/skill-references is absent")
async def test_hover_on_option_appends_a_matching_reference(client):
    await initialize(client, FLAKE_2411, options={"skillReferences": [str(REFERENCES)]})
    hover = await _hover(client, FLAKE_2411 / "configuration.nix", "systemd-boot")
    assert hover is not None
    text = hover.contents.value
    assert "`boot.loader.systemd-boot`" in text
    assert "from `gotchas-and-special-situations.md`" in text


SECRETS_FLEET = FLAKE_2411.parent / "secrets-fleet"


async def test_hover_on_agenix_secret_names_registry_entry_and_configurations(client):
    await initialize(client, SECRETS_FLEET)
    hover = await _hover(client, SECRETS_FLEET / "hosts" / "db" / "default.nix", "postgres =")
    assert hover is not None
    text = hover.contents.value
    assert "**agenix secret `postgres`**" in text
    assert "`postgres.age` in `secrets/secrets.nix` · *recipients:* `db`, `admin`" in text
    assert "exists, encrypted (age header)" in text
    assert "*Used by:* `nixosConfigurations.db`" in text
    assert range_of(hover.range) == "3:14-3:22"


async def test_hover_on_sops_secret_names_creation_rule(client):
    await initialize(client, SECRETS_FLEET)
    hover = await _hover(client, SECRETS_FLEET / "hosts" / "web" / "default.nix", "basic-auth")
    assert hover is not None
    text = hover.contents.value
    assert "**sops-nix secret `nginx/basic-auth`**" in text
    assert "*key* `nginx/basic-auth` present" in text
    assert "#1 of `.sops.yaml`" in text and "age: 2 keys" in text
    assert "*Used by:* `nixosConfigurations.web`" in text
