"""Byte offsets <-> (line, UTF-16 character) positions, as LSP and the JSON output use."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class LineIndex:
    """Maps byte offsets of a UTF-8 document to 0-based line / UTF-16 column and back."""

    def __init__(self, source: bytes) -> None:
        self._source = source
        # Line i starts after the lengths of lines 0..i-1 and their newlines (C loops).
        self._line_starts = [0, *accumulate(len(line) + 1 for line in source.split(b"\n")[:-1])]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        return self._line_starts[min(max(line, 0), len(self._line_starts) - 1)]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, utf16 character) of a byte offset; offsets inside a character snap back."""
        offset = min(max(offset, 0), len(self._source))
        line = bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[line]
        prefix = self._source[start:offset].decode("utf-8", errors="ignore")
        return line, _utf16_len(prefix)

    def offset(self, line: int, character: int) -> int:
        """Byte offset of an LSP position; past-the-end positions clamp to the line end."""
        if line >= len(self._line_starts):
            return len(self._source)
        start = self._line_starts[max(line, 0)]
        end = self._line_starts[line + 1] - 1 if line + 1 < len(self._line_starts) else len(
            self._source
        )
        raw = self._source[start:end]
        if raw.isascii():  # one byte, one UTF-16 unit per character: no scan (long lines)
            return start + min(max(character, 0), len(raw))
        text = raw.decode("utf-8", errors="replace")
        units = 0
        for index, char in enumerate(text):
            if units >= character:
                return start + len(text[:index].encode("utf-8"))
            units += 2 if ord(char) > 0xFFFF else 1
        return end


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2
