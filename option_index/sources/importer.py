"""Read an options.json into option rows.

Shapes accepted:
- NixOS / home-manager `options.json`: `{name: {loc, type, default, example, description,
  declarations, readOnly}}`;
- nixos-search `flake-info` exports: `{"options": [{title|name|option_name, loc, type, ...}]}`;
- manual scrapes with `{type, default, description}` only (placeholders spelled `_name_`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from option_index.errors import InvalidOptionsFile
from option_index.paths import split_path
from option_index.sources.compression import decompress
from option_index.store.database import OptionRow

_TEXT_LIMIT = 2000
_SCRAPE_PLACEHOLDER = "_name_"


def _text(value: Any, limit: int = _TEXT_LIMIT) -> str | None:
    """Render a default / example / description as text: literal expressions keep their text."""
    if value is None:
        return None
    if isinstance(value, Mapping) and "_type" in value:
        value = value.get("text", "")
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _declarations(value: Any) -> tuple[str, ...]:
    out = []
    for d in value if isinstance(value, list) else ():  # anything else is a broken file
        if isinstance(d, Mapping):
            d = d.get("name") or d.get("url")
        if isinstance(d, str):
            out.append(d)
    return tuple(out)


def _segments(name: str, loc: Any) -> tuple[str, ...]:
    if isinstance(loc, list) and loc and all(isinstance(s, str) for s in loc):
        segs = tuple(loc)
    else:
        segs = split_path(name)
    return tuple("<name>" if s == _SCRAPE_PLACEHOLDER else s for s in segs)


def _row(name: str, entry: Mapping[str, Any], keep_prose: bool) -> OptionRow:
    get = entry.get
    return OptionRow(
        segments=_segments(name, get("loc") or get("option_loc")),
        type=str(get("type") or get("option_type") or ""),
        read_only=bool(get("readOnly") or get("option_readOnly")),
        default=_text(get("default", get("option_default"))),
        example=_text(get("example", get("option_example"))),
        description=_text(get("description") or get("option_description")) if keep_prose
        else None,
        declarations=_declarations(get("declarations") or get("option_declarations")),
    )


def _entries(doc: Any) -> Iterable[tuple[str, Mapping[str, Any]]]:
    if isinstance(doc, Mapping) and isinstance(doc.get("options"), list):
        for entry in doc["options"]:
            if isinstance(entry, Mapping):
                name = entry.get("title") or entry.get("name") or entry.get("option_name")
                if isinstance(name, str):
                    yield name, entry
    elif isinstance(doc, Mapping):
        for name, entry in doc.items():
            if isinstance(entry, Mapping) and isinstance(name, str):
                yield name, entry
    elif isinstance(doc, list):
        yield from _entries({"options": doc})


def parse_options(doc: Any, *, keep_prose: bool = True) -> list[OptionRow]:
    """Option rows of a decoded options.json document. Raises InvalidOptionsFile if none."""
    rows = [_row(name, entry, keep_prose) for name, entry in _entries(doc)
            if "type" in entry or "option_type" in entry or "loc" in entry]
    if not rows:
        raise InvalidOptionsFile(
            "no options found: expected an options.json ({name: {type, ...}}) "
            "or a flake-info export ({\"options\": [...]})"
        )
    return [r for r in rows if r.segments and all(r.segments)]


def parse_options_bytes(data: bytes, name: str = "", *, keep_prose: bool = True,
                        ) -> list[OptionRow]:
    """Decompress (by magic bytes) and parse an options.json payload."""
    plain = decompress(data, name)
    try:
        doc = json.loads(plain)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidOptionsFile(
            f"{name or 'payload'} is not valid JSON ({exc}); is it truncated?"
        ) from exc
    return parse_options(doc, keep_prose=keep_prose)


def load_options_file(path: Path, *, keep_prose: bool = True) -> list[OptionRow]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidOptionsFile(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_options_bytes(data, path.name, keep_prose=keep_prose)
