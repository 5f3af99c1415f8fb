"""Hover on a secret: `age.secrets.<n>`, `age.secrets.<n>.file`, `sops.secrets.<n>`.

Says which registry entry covers the secret's file (the agenix `secrets.nix` key and its
recipients, or the `.sops.yaml` creation rule sops uses and its key groups, counted), whether
the file exists and carries its encryption header / metadata, and which configurations of
the fleet graph use the module the cursor is in. Nothing is decrypted and no key is shown.
"""

from __future__ import annotations

from pathlib import Path

from nixls_assist.context import FileContext
from nixls_assist.context.fleet import Fleet
from nixls_assist.context.secret_files import Encryption, SecretWorkspace
from nixls_assist.rules.secret_registries.references import (
    FileReference,
    SecretReferences,
    SopsSecret,
    display_path,
    format_of,
    secret_references,
)
from nixls_assist.syntax.document import ParsedDocument
from nixls_assist.syntax.option_binding import OptionBinding

MAX_CONFIGURATIONS = 12


def secret_hover_text(doc: ParsedDocument, ctx: FileContext, binding: OptionBinding,
                      upto: int) -> str | None:
    """The secret named by the path under the cursor (segment `upto` of `binding`)."""
    labels = [s.label for s in binding.segments]
    for tool in ("age", "sops"):
        at = _index_of(labels, (tool, "secrets"))
        if at is None or upto < at + 2 or len(labels) < at + 3 or labels[at + 2] == "*":
            continue
        name = labels[at + 2]
        references = secret_references(doc, ctx)
        lines = (_age_lines(references, name, ctx) if tool == "age"
                 else _sops_lines(references, name, ctx))
        if not lines:
            return None
        lines.append(_users(ctx))
        head = f"**{'agenix' if tool == 'age' else 'sops-nix'} secret `{name}`**"
        return "\n\n".join([head, *lines])
    return None


def _index_of(labels: list[str], pair: tuple[str, str]) -> int | None:
    return next((i for i in range(len(labels) - 1)
                 if labels[i] == pair[0] and labels[i + 1] == pair[1]), None)


def _age_lines(references: SecretReferences, name: str, ctx: FileContext) -> list[str]:
    files = [r for r in references.files if r.is_age and r.secret == name]
    if not files:
        return []
    secrets = ctx.secrets
    lines: list[str] = []
    for reference in files:
        lines.append(_file_line(reference, ctx))
        target = reference.target
        if target is None or secrets is None or not secrets.exists(target):
            continue
        if reference.attribute == "file":
            lines.append(_agenix_registry(secrets, target, ctx))
    return lines


def _file_line(reference: FileReference, ctx: FileContext) -> str:
    attribute = f"*{reference.attribute}:* "
    target = reference.target
    if target is None and reference.from_input is not None:
        return attribute + (f"`{_short(reference.written)}` — from flake input "
                            f"`{reference.from_input}`: not checked (another repository)")
    if target is None:
        return (attribute + f"`{_short(reference.written)}` — not resolved (another flake "
                "input, a computed path or a runtime path): not checked")
    secrets = ctx.secrets
    shown = f"`{display_path(target, ctx)}`"
    if secrets is None or secrets.exists(target) is None:
        return attribute + f"{shown} (outside the workspace: not checked)"
    if not secrets.exists(target):
        return attribute + f"{shown} — **does not exist**"
    if reference.is_age:
        state = {Encryption.ENCRYPTED: "exists, encrypted (age header)",
                 Encryption.PLAIN: "exists, **not encrypted** (no age header)",
                 Encryption.UNKNOWN: "exists (empty or not readable: encryption unknown)"}
        return attribute + f"{shown} — {state[secrets.age_encryption(target)]}"
    return attribute + f"{shown} — exists"


def _agenix_registry(secrets: SecretWorkspace, target: Path, ctx: FileContext) -> str:
    registries = secrets.registries_over(target)
    if not registries:
        return "*Registry:* no agenix `secrets.nix` above the file"
    for registry in sorted(registries, key=lambda r: -len(r.path.parts)):
        name = target.relative_to(registry.path.parent).as_posix()
        entry = registry.rules.entry(name)
        if entry is None:
            continue
        where = display_path(registry.path, ctx)
        if entry.recipient_names:
            recipients = ", ".join(f"`{n}`" for n in entry.recipient_names)
        elif entry.recipients is not None:
            count = len(entry.recipients)
            recipients = f"{count} key" + ("s" if count != 1 else "") + " written inline"
        else:
            recipients = f"`{_short(entry.recipients_text)}`"
        return f"*Registry:* `{entry.name}` in `{where}` · *recipients:* {recipients}"
    where = ", ".join(f"`{display_path(r.path, ctx)}`" for r in registries)
    if not all(r.rules.complete for r in registries):
        return f"*Registry:* not found among the literal entries of {where} (it is computed)"
    return f"*Registry:* **not a key** of {where}"


def _sops_lines(references: SecretReferences, name: str, ctx: FileContext) -> list[str]:
    secret = next((s for s in references.sops_secrets if s.name == name), None)
    if secret is None:
        return []
    source = secret.sops_file
    if source is None and len(references.default_sops_files) == 1:
        source = references.default_sops_files[0]
    if source is None:
        return ["*sopsFile:* not set here (`sops.defaultSopsFile` of another module)"]
    lines = [_file_line(source, ctx)]
    secrets, target = ctx.secrets, source.target
    if secrets is None or target is None or not secrets.exists(target):
        return lines
    lines += _sops_file_lines(secrets, secret, target, ctx)
    return lines


def _sops_file_lines(secrets: SecretWorkspace, secret: SopsSecret, target: Path,
                     ctx: FileContext) -> list[str]:
    lines: list[str] = []
    file_format = format_of(target, secret)
    key = secret.key if secret.key is not None else secret.name
    if file_format in ("yaml", "json", "dotenv"):
        facts = secrets.sops_file(target, file_format)
        state = {Encryption.ENCRYPTED: "sops metadata present",
                 Encryption.PLAIN: "**no sops metadata** (not encrypted)",
                 Encryption.UNKNOWN: "encryption unknown"}[facts.encryption]
        line = f"*Format:* {file_format} · {state}"
        if facts.keys is not None and secret.key_known and key:
            wanted = (key,) if file_format == "dotenv" else tuple(key.split("/"))
            present = wanted in facts.keys or (key,) in facts.keys
            line += f" · *key* `{key}` " + ("present" if present else "**not in the file**")
        lines.append(line)
    elif file_format is not None:
        lines.append(f"*Format:* {file_format} (keys not read)")
    configs = secrets.sops_configs_over(target)
    if not configs:
        lines.append("*Creation rule:* no `.sops.yaml` above the file")
    for config in configs:
        where = display_path(config.path, ctx)
        index = config.rule_for(target)
        if index is None:
            lines.append(f"*Creation rule:* `{where}` cannot be matched statically")
        elif index is False:
            lines.append(f"*Creation rule:* **none** of `{where}` matches")
        else:
            regexes = config.path_regexes or ()
            regex = regexes[index] if index < len(regexes) else None
            shown = f"`path_regex: {regex}`" if regex is not None else "(no `path_regex`)"
            keys = config.recipients[index] if index < len(config.recipients) else ""
            lines.append(f"*Creation rule:* #{index + 1} of `{where}` {shown}"
                         + (f" · {keys}" if keys else ""))
    return lines


def _users(ctx: FileContext) -> str:
    fleet = ctx.fleet if ctx.path is not None else None
    if fleet is None or not fleet.configurations:
        return "*Used by:* no configuration found (no flake configurations read)"
    users = fleet.configurations_of(ctx.path) if ctx.path is not None else []
    if not users:
        return "*Used by:* no configuration found that imports this file" + _partial(fleet)
    names = [f"`{c.attribute}`" for c in users[:MAX_CONFIGURATIONS]]
    more = len(users) - len(names)
    return "*Used by:* " + ", ".join(names) + (f" and {more} more" if more > 0 else "") \
        + _partial(fleet)


def _partial(fleet: Fleet) -> str:
    return "" if fleet.complete else " (the fleet graph is incomplete: there may be more)"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
