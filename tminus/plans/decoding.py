"""Turning an uploaded file into text: size and binary checks, UTF-8, and repair of mojibake.

Pure Python with no Django import. Seed 001 shows the usual damage: UTF-8 that was read as
Windows-1252 and saved again, so an arrow or a check mark shows as three odd Latin
characters; ftfy undoes it. Everything else about
the text (curly quotes, HTML entities, ligatures) is left exactly as written.
"""

import codecs
from dataclasses import dataclass, field

import ftfy

MAX_BYTES = 5 * 1024 * 1024

_FIXER = ftfy.TextFixerConfig(
    unescape_html=False, uncurl_quotes=False, fix_latin_ligatures=False,
    fix_character_width=False, remove_terminal_escapes=False, fix_line_breaks=False,
    normalization=None,
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


class UnreadableDocument(ValueError):
    """The file cannot be read as a plan; the message says why in plain words."""


@dataclass
class DecodedText:
    text: str
    warnings: list[str] = field(default_factory=list)
    repaired_lines: int = 0


def decode_document(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> DecodedText:
    """The text of an uploaded plan, repaired; UnreadableDocument for what cannot be a plan."""
    if isinstance(data, str):
        raw_size = len(data.encode("utf-8", errors="surrogatepass"))
        if raw_size > max_bytes:
            raise UnreadableDocument(_too_big(raw_size, max_bytes))
        return _checked(repair(data, []))
    if len(data) > max_bytes:
        raise UnreadableDocument(_too_big(len(data), max_bytes))
    warnings: list[str] = []
    text = _decode_bytes(data, warnings)
    return _checked(repair(text, warnings))


def _too_big(size: int, limit: int) -> str:
    return (f"The file is {size / 1024 / 1024:.1f} MB; a plan may be at most "
            f"{limit / 1024 / 1024:.0f} MB.")


def _decode_bytes(data: bytes, warnings: list[str]) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.append("The file was UTF-16; it was read as such.")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableDocument(
                f"The file starts as UTF-16 but is not valid UTF-16 (byte {error.start} cannot "
                "be read); save it as UTF-8 and try again.") from None
    if b"\x00" in data:
        raise UnreadableDocument("The file is binary (it contains NUL bytes), not a text plan.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            f"The file is not UTF-8 (byte {utf8_error.start} cannot be read) and is not "
            "Windows-1252 either; save it as UTF-8 and try again."
        ) from None
    warnings.append("The file was not UTF-8; it was read as Windows-1252.")
    return text


def repair(text: str, warnings: list[str]) -> DecodedText:
    """The text with mojibake undone, counting the lines that changed."""
    fixed = ftfy.fix_text(text, _FIXER)
    repaired = sum(1 for before, after in zip(text.split("\n"), fixed.split("\n"), strict=False)
                   if before != after)
    if repaired:
        warnings.append(f"Repaired broken encoding on {repaired} line(s) "
                        "(UTF-8 that had been read as Windows-1252).")
    return DecodedText(text=fixed, warnings=warnings, repaired_lines=repaired)


def _checked(decoded: DecodedText) -> DecodedText:
    text = decoded.text
    if not text.strip():
        raise UnreadableDocument("The file is empty.")
    controls = sum(1 for char in text if ord(char) < 32 and char not in _ALLOWED_CONTROLS)
    if controls > max(2, len(text) // 100):
        raise UnreadableDocument("The file looks binary (it is full of control characters), "
                                 "not a text plan.")
    return decoded
