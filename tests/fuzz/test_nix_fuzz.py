"""Generated and mutated Nix through the parser, path resolution, every rule and every SAFE fix."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nixls_assist.context import FileKind
from nixls_assist.syntax.document import TextChange
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.invariants import RELEASES, check_incremental, check_source
from tests.fuzz.nix_strategies import NIX_SOURCES, SEEDS, mutated_sources

KINDS = st.sampled_from(list(FileKind))
RELEASE = st.sampled_from(RELEASES)


@fuzz_settings(weight=1.0)
@given(source=NIX_SOURCES, kind=KINDS, release=RELEASE)
def test_generated_nix(source: str, kind: FileKind, release: str | None) -> None:
    check_source(source.encode("utf-8"), kind, release)


@fuzz_settings(weight=1.5)
@given(data=mutated_sources(), kind=KINDS, release=RELEASE)
def test_mutated_real_files(data: bytes, kind: FileKind, release: str | None) -> None:
    check_source(data, kind, release)


@fuzz_settings(weight=0.5)
@given(data=mutated_sources(), baseline=st.sampled_from(SEEDS), release=RELEASE)
def test_against_a_baseline(data: bytes, baseline: bytes, release: str | None) -> None:
    """NXA301 compares with an earlier version: any pair of texts must be safe."""
    check_source(data, FileKind.NIXOS, release, baseline=baseline)


@fuzz_settings(weight=0.5)
@given(data=st.binary(max_size=400), kind=KINDS)
def test_random_bytes(data: bytes, kind: FileKind) -> None:
    check_source(data, kind, "24.11")


@st.composite
def edits(draw: st.DrawFn) -> tuple[bytes, list[TextChange]]:
    """A real or generated document and a few edits at character boundaries (as an editor
    sends them: each against the text after the previous one)."""
    if draw(st.booleans()):
        text = draw(st.sampled_from(SEEDS)).decode("utf-8")
    else:
        text = draw(NIX_SOURCES)
    changes = []
    current = text
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(st.integers(min_value=0, max_value=len(current)))
        end = draw(st.integers(min_value=start, max_value=min(len(current), start + 40)))
        new_text = draw(st.one_of(
            st.sampled_from(["", "{", "}", ";", " = 1;", "\n", "\r\n", '"', "${", "😀", "é",
                             "lib.mkIf true ", "services.openssh.enable = true;", "(", ")",
                             "x: ", "# c\n", "''", "let a = 1; in ", "|>"]),
            st.text(max_size=6),
        ))
        changes.append(TextChange(len(current[:start].encode()), len(current[:end].encode()),
                                  new_text))
        current = current[:start] + new_text + current[end:]
    return text.encode("utf-8", errors="surrogatepass"), changes


@fuzz_settings(weight=1.0)
@given(case=edits())
def test_incremental_edits_match_a_fresh_parse(case: tuple[bytes, list[TextChange]]) -> None:
    source, changes = case
    check_incremental(source, changes)
