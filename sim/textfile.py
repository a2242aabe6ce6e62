"""Reading a hand-written text file safely, whatever the bytes (DESIGN section 6).

Every file a user names (scenario, plan, and the file kinds to come) passes
through `read_text` before any parser sees it. Whatever is on disk, the result
is either the file's text or one located `TextFileError`; never a traceback, a
hang or unbounded memory:

- only a regular file is opened (a folder, a device, a FIFO or a socket is
  refused from its ``stat``, without reading; FIFOs are opened non-blocking);
- the size is checked against `MAX_FILE_BYTES` before the file is read, and at
  most that many bytes (plus one) are ever read, even if the file grows;
- UTF-8 only: a UTF-8 byte-order mark is dropped, UTF-16/32 are named as such,
  invalid UTF-8 is reported at its line and column;
- NUL and other control characters (C0 but tab, LF and CR; DEL; C1; lone
  surrogates; U+FFFE/U+FFFF) are reported at their line and column.

The error carries ``(line, col, message)``; `sim.yamlsource` turns it into its
``FILE:LINE:COL: key: message`` line.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path

#: Largest file read (bytes). Scenario files and plans are a few KiB; 1 MiB
#: parses in well under a second and bounds the memory any file can take.
MAX_FILE_BYTES = 1 << 20

#: Characters that have no place in a hand-written text file.
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_OS_PROBLEMS = {
    errno.ENOENT: "file not found",
    errno.EACCES: "permission denied (allowed: a file you can read)",
    errno.EPERM: "permission denied (allowed: a file you can read)",
    errno.ELOOP: "symbolic link loop (allowed: a link that ends at a file)",
    errno.ENAMETOOLONG: "path too long",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder, not a file",
}


class TextFileError(Exception):
    """The file cannot be used as text: ``line``, ``col`` (1-based) and ``message``."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        self.message = message
        self.line = line
        self.col = col
        super().__init__(message)


def os_problem(exc: OSError) -> str:
    """A short phrase for an `OSError` from opening or reading a file."""
    return _OS_PROBLEMS.get(exc.errno, f"cannot read: {exc.strerror or type(exc).__name__}")


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"


def _too_big(size: int | None) -> str:
    what = f"{size:,} bytes" if size is not None else "larger than the limit"
    return f"file is {what} (allowed: at most {MAX_FILE_BYTES:,} bytes; a scenario or plan is a few KiB)"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`.

    Raises:
        TextFileError: if the path is not a readable regular file of that size.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise TextFileError(os_problem(exc) if isinstance(exc, OSError) else "path holds a NUL character") from None
    try:
        info = os.fstat(fd)
        problem = _kind(info.st_mode)
        if problem:
            raise TextFileError(problem)
        if info.st_size > MAX_FILE_BYTES:
            raise TextFileError(_too_big(info.st_size))
        chunks, total = [], 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise TextFileError(_too_big(None))
        return b"".join(chunks)
    except OSError as exc:
        raise TextFileError(os_problem(exc)) from None
    finally:
        os.close(fd)


def _where(data: bytes | str, index: int) -> tuple[int, int]:
    """1-based line and column of ``data[index]``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, index) + 1
    start = data.rfind(newline, 0, index) + 1
    return line, index - start + 1


def decode(data: bytes) -> str:
    """UTF-8 text from bytes, with a located error for anything else.

    Raises:
        TextFileError: for UTF-16/32, invalid UTF-8 or a forbidden character.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TextFileError("UTF-32 text (allowed: UTF-8; save the file as UTF-8)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TextFileError("UTF-16 text (allowed: UTF-8; save the file as UTF-8)")
    data = data.removeprefix(codecs.BOM_UTF8)
    nul = data.find(b"\x00")
    if nul >= 0:  # before decoding: a NUL means binary (or UTF-16 without a mark), wherever the first bad byte is
        line, col = _where(data, nul)
        raise TextFileError("NUL byte: a binary file or UTF-16 text? (allowed: UTF-8 text)", line, col)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _where(data, exc.start)
        raise TextFileError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} (allowed: UTF-8; save the file as UTF-8)", line, col) from None
    check_characters(text)
    return text


def check_characters(text: str) -> None:
    """Refuse control characters, lone surrogates and non-characters.

    Raises:
        TextFileError: located at the first such character.
    """
    found = FORBIDDEN_CHARS.search(text)
    if found:
        line, col = _where(text, found.start())
        hint = " (UTF-16 text or a binary file?)" if found.group() == "\x00" else ""
        raise TextFileError(f"control character U+{ord(found.group()):04X}{hint} (allowed: printable text, tabs and line breaks)", line, col)


def read_text(path: str | Path) -> str:
    """The UTF-8 text of a hand-written file, checked as described above.

    Raises:
        TextFileError: with the line, column and problem.
    """
    return decode(read_bytes(path))
