"""The bytes of a file before they are a table: decompressed within a stated size, scanned in one
streamed pass, and made UTF-8 line by line.

Memory stays bounded by the chunk size whatever the file's size: nothing here holds a whole file.
- .gz and .zip members are decompressed to a temporary file in chunks, and refused past
  MAX_DECOMPRESSED_BYTES or when they expand more than MAX_EXPANSION times (a decompression bomb).
- `scan` reads the file once: is it UTF-8, does it have blank lines (which shift row numbers in
  DuckDB's reader), an odd number of quote characters (a quote left open), and UTF-8 sequences
  inside a file that is not UTF-8 (lines pasted from another system).
- `to_utf8` rewrites a file that is not UTF-8, deciding each line on its own (in bulk, a block of lines
  at a time, where a block is all one encoding): a line that is valid
  UTF-8 stays as it is, any other line is decoded with the file's single-byte code page, so
  'Müller GmbH' never turns into 'MÃ¼ller GmbH' beside itself.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analytics import i18n

CHUNK = 1 << 22                           # 4 MiB read at a time
MAX_DECOMPRESSED_BYTES = 4 << 30          # 4 GiB: about 40 million spend lines
MAX_EXPANSION = 200                       # real CSVs compress 5-30 times; a bomb thousands of times
EXPANSION_FLOOR = 100 << 20               # small files may expand as they like
CSV_FIELD_LIMIT = 1 << 30                 # Python's csv module: fields are limited by validation instead
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

ASCII = bytes(range(0x80))
NOT_C1 = bytes(range(0x80)) + bytes(range(0xa0, 0x100))
UTF8_LEADS, UTF8_CONTINUATIONS = bytes(range(0xc2, 0xf5)), bytes(range(0x80, 0xc0))
UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")

csv.field_size_limit(CSV_FIELD_LIMIT)


class ReadError(ValueError):
    """The file cannot be read at all (wrong type, not a table, empty, too big, ...)."""


def _size_text(size: int) -> str:
    return f"{size / (1 << 30):.1f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MiB"


def copy_capped(src, target: Path, name: str, compressed_size: int) -> int:
    """Copy a decompressing stream to `target` in chunks; ReadError past the stated limits."""
    limit = min(MAX_DECOMPRESSED_BYTES, max(EXPANSION_FLOOR, compressed_size * MAX_EXPANSION))
    written = 0
    with open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise ReadError(i18n.t(
                    "{file}: refused: it expands to more than {limit} ({compressed} compressed); the importer "
                    "reads at most {most} and at most {times} times the compressed size. Import the uncompressed "
                    "file, or split it", file=name, limit=_size_text(limit), compressed=_size_text(compressed_size),
                    most=_size_text(MAX_DECOMPRESSED_BYTES), times=MAX_EXPANSION))
            dst.write(chunk)
    return written


def extract_gzip(path: Path, target: Path, name: str) -> None:
    try:
        with gzip.open(path, "rb") as src:
            copy_capped(src, target, name, path.stat().st_size)
    except (OSError, EOFError) as exc:
        raise ReadError(i18n.t("{file}: not a readable .gz file ({problem})", file=name, problem=exc)) from None


def extract_zip_member(archive: zipfile.ZipFile, member: str, target: Path, name: str) -> None:
    info = archive.getinfo(member)
    with archive.open(member) as src:
        copy_capped(src, target, name, max(info.compress_size, 1))


@dataclass
class Scan:
    utf8: bool                 # the whole file is valid UTF-8
    bom: bool
    blank_lines: bool          # an empty line (DuckDB's reader would skip it and shift row numbers)
    odd_quotes: bool           # an odd number of " characters: maybe a quoted field never closed
    utf8_sequences: bool       # valid UTF-8 multi-byte sequences (in a file that is not UTF-8: mixed lines)
    c1_bytes: bool             # bytes 0x80-0x9f (cp1252 punctuation, not latin-1)
    empty: bool


def scan(path: Path) -> Scan:
    """One streamed pass over the file's bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, blank, quotes, sequences, c1, empty = True, False, 0, False, False, True
    tail = b"\n"   # a file starting with a line break starts with a blank line
    bom = False
    with open(path, "rb") as handle:
        first = True
        while chunk := handle.read(CHUNK):
            if first:
                bom, first = chunk.startswith(b"\xef\xbb\xbf"), False
            empty = empty and not chunk.strip()
            joined = tail + chunk
            blank = blank or b"\n\n" in joined or b"\r\n\r\n" in joined or b"\r\r" in joined
            tail = chunk[-3:]
            quotes += chunk.count(b'"')
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and not (sequences and c1):
                high = chunk.translate(None, ASCII)   # the non-ASCII bytes alone: a few per line at most
                sequences = sequences or has_utf8_sequence(chunk, high)
                c1 = c1 or bool(high.translate(None, NOT_C1))
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Scan(utf8, bom, blank, quotes % 2 == 1, sequences, c1, empty)


def has_utf8_sequence(data: bytes, high: bytes | None = None) -> bool:
    """True when `data` holds a valid UTF-8 multi-byte sequence. `high` (data's non-ASCII bytes) rules most
    text out without a regular expression: a sequence needs a lead byte and a continuation byte."""
    high = data.translate(None, ASCII) if high is None else high
    if len(high.translate(None, UTF8_LEADS)) == len(high) or len(high.translate(None, UTF8_CONTINUATIONS)) == len(high):
        return False
    return any(UTF8_SEQUENCE.match(data, m.start()) for m in UTF8_PAIR.finditer(data))


def _blocks(path: Path):
    """The file in blocks of about CHUNK bytes, each ending at a line end (but the last)."""
    carry = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            block = carry + chunk
            cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1
            if cut:
                block, carry = block[:cut], block[cut:]
            else:
                carry = b""
            yield block
    if carry:
        yield carry


def _lines_with_high_bytes(block: bytes) -> int:
    """How many lines of `block` hold a non-ASCII byte (counted with numpy, no loop over lines)."""
    data = np.frombuffer(block, dtype=np.uint8)
    line = np.cumsum((data == 10) | (data == 13))
    return len(np.unique(line[data >= 0x80]))


def to_utf8(path: Path, target: Path, fallback: str) -> tuple[int, int]:
    """Write `path` as UTF-8 to `target`, each line decoded on its own: as UTF-8 when it is valid,
    else with `fallback`. Returns (lines that were UTF-8 with non-ASCII text, lines read as fallback).

    Decoded a block at a time: a block that is valid UTF-8, or holds no UTF-8 sequence at all, is decoded
    whole; only a block mixing both is decoded line by line."""
    utf8_lines = fallback_lines = 0
    with open(target, "wb") as out:
        for block in _blocks(path):
            if block.isascii():
                out.write(block)
                continue
            try:
                block.decode("utf-8")
                utf8_lines += _lines_with_high_bytes(block)
                out.write(block)
                continue
            except UnicodeDecodeError:
                pass
            if not has_utf8_sequence(block):
                fallback_lines += _lines_with_high_bytes(block)
                out.write(block.decode(fallback, errors="replace").encode("utf-8"))
                continue
            buffer = []
            for line in block.splitlines(keepends=True):
                if line.isascii():
                    buffer.append(line)
                    continue
                try:
                    line.decode("utf-8")
                    utf8_lines += 1
                    buffer.append(line)
                except UnicodeDecodeError:
                    fallback_lines += 1
                    buffer.append(line.decode(fallback, errors="replace").encode("utf-8"))
            out.write(b"".join(buffer))
    return utf8_lines, fallback_lines


def unterminated_quote_row(path: Path, delimiter: str) -> int | None:
    """The line on which a quoted field opens and is never closed (None when every quote closes).
    `path` is UTF-8."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        start = 1
        while True:
            start = reader.line_num + 1
            try:
                next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    return start
                # another oddity (a quote inside a field): DuckDB's lenient reader handles it; go on


def head_text(path: Path, size: int = 1 << 20) -> str:
    """The first `size` bytes of a UTF-8 file as text, cut at the last complete line."""
    with open(path, "rb") as handle:
        data = handle.read(size)
    if len(data) == size:
        data = data[:max(data.rfind(b"\n"), data.rfind(b"\r")) + 1] or data
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def sample_bytes(path: Path, size: int = 8 << 20) -> bytes:
    """The first `size` bytes, for choosing a code page."""
    with open(path, "rb") as handle:
        return handle.read(size)


def whole_text(path: Path) -> str:
    """A UTF-8 file as text (only for files small enough to need pandas' reader)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.read()
