"""Hover notes from "skill reference" directories: markdown files, one topic per `##` section.

A section matches an option path when its text names that path or one of its parents
(`services.openssh.settings.PermitRootLogin` matches a section about `services.openssh`),
or a keyword (the word under the cursor, e.g. `mkForce`, `follows`) when its title names it
or it is quoted in the section as inline code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_DOTTED = re.compile(r"[A-Za-z_][\w'-]*(?:\.[A-Za-z_][\w'-]*)+")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_WORD = re.compile(r"[A-Za-z_][\w'-]*")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Words too common in Nix files to say anything about the topic under the cursor.
_STOP = frozenset({"let", "in", "with", "rec", "inherit", "true", "false", "null", "lib",
                   "config", "pkgs", "if", "then", "else", "import", "enable", "options",
                   "imports", "self", "inputs", "outputs", "the", "and"})
MAX_SECTION_CHARS = 4000
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Section:
    source: Path
    title: str
    body: str
    paths: frozenset[str]  # dotted names mentioned anywhere in the section
    title_words: frozenset[str]
    code_words: frozenset[str]  # lower-cased words quoted as inline code

    def mentions(self, term: str) -> int:
        pattern = rf"(?<![\w.-]){re.escape(term.lower())}(?![\w-])"
        return len(re.findall(pattern, f"{self.title}\n{self.body}".lower()))


@dataclass
class ReferenceLibrary:
    sections: list[Section] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def for_option(self, path: tuple[str, ...]) -> Section | None:
        """The section naming the longest prefix (at least two segments) of `path`."""
        for length in range(len(path), 1, -1):
            dotted = ".".join(path[:length])
            hits = [s for s in self.sections if dotted in s.paths]
            if hits:
                return max(hits, key=lambda s: (dotted.lower() in s.title.lower(),
                                                s.mentions(dotted)))
        return None

    def for_keyword(self, word: str) -> Section | None:
        key = word.lower()
        if len(key) < 3 or key in _STOP:
            return None
        hits = [s for s in self.sections if key in s.title_words or key in s.code_words]
        if not hits:
            return None
        return max(hits, key=lambda s: (key in s.title_words, s.mentions(word)))


def load_references(directories: Iterable[Path]) -> ReferenceLibrary:
    library = ReferenceLibrary()
    for directory in directories:
        if not directory.is_dir():
            library.problems.append(f"skillReferences: {directory} is not a directory")
            continue
        for path in sorted(directory.rglob("*.md")):
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                library.problems.append(f"skillReferences: cannot read {path} ({exc.strerror})")
                continue
            library.sections.extend(split_sections(path, text))
    return library


def split_sections(source: Path, text: str) -> list[Section]:
    """`## ` headings outside code fences start a section; `###` stays inside it."""
    sections: list[Section] = []
    title: str | None = None
    body: list[str] = []
    fenced = False

    def close() -> None:
        if title is not None:
            sections.append(_section(source, title, "\n".join(body).strip()))

    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            close()
            title, body = line[3:].strip(), []
        elif title is not None:
            body.append(line)
    close()
    return sections


def _section(source: Path, title: str, body: str) -> Section:
    everything = f"{title}\n{body}"
    code = {w.lower() for span in _INLINE_CODE.findall(everything) for w in _WORD.findall(span)}
    return Section(
        source=source,
        title=title,
        body=body if len(body) <= MAX_SECTION_CHARS else body[:MAX_SECTION_CHARS] + "\n\n…",
        paths=frozenset(_DOTTED.findall(everything)),
        title_words=frozenset(w.lower() for w in _WORD.findall(title)),
        code_words=frozenset(code),
    )
