"""Text encodings of Czech exports: decode the bytes, and find text that went through a wrong one.

:func:`decode_text` reads a CSV file's bytes: a BOM first, then strict UTF-8, then Windows-1250.
A file that is UTF-8 except for a few damaged bytes (a value pasted from elsewhere) is read as
UTF-8 with the damaged characters replaced by ``\\ufffd`` and counted, instead of being read
whole as Windows-1250, which would garble every Czech letter.

*Mojibake* is text that was already garbled before the file was written: UTF-8 read as
Windows-1250 (``Ä›`` for ``ě``, ``ĹĄ`` for ``š``), or as Windows-1252/Latin-1 (``Ã¡`` for
``á``), or Windows-1250 read as Windows-1252 (``ø`` for ``ř``). :func:`repair` turns such a
value back when the whole value reverses cleanly and says why it cannot otherwise.

Example
-------
>>> repair("DomĂˇcnost")
('Domácnost', 'utf-8 as windows-1250')
>>> repair("Tøebíè")
('Třebíč', 'windows-1250 as windows-1252')
>>> repair("Kolín")
('Kolín', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evaluation.errors import DataError

#: Letters and marks of Czech text whose garbled forms are looked for.
CZECH_TEXT = "áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ–„“”"
#: Czech letters that Windows-1252 has no place for (their presence means the text is not garbled).
_CZECH_ONLY = set("čďěňřťůČĎĚŇŘŤŮ")
REPLACEMENT = "\ufffd"
_WRONG_READINGS = ("cp1250", "cp1252", "latin-1")
_NAMES = {"cp1250": "windows-1250", "cp1252": "windows-1252", "latin-1": "latin-1"}


def _garbled_forms() -> dict[str, str]:
    """Each garbled spelling of a Czech letter (UTF-8 bytes read in a wrong code page) -> the letter."""
    forms: dict[str, str] = {}
    for letter in CZECH_TEXT:
        for wrong in _WRONG_READINGS:
            garbled = letter.encode("utf-8").decode(wrong, errors="replace")
            if REPLACEMENT not in garbled and garbled != letter:
                forms.setdefault(garbled, letter)
    return forms


GARBLED_UTF8 = _garbled_forms()
_GARBLED_UTF8_RE = re.compile("|".join(re.escape(k) for k in sorted(GARBLED_UTF8, key=len, reverse=True)))
#: Windows-1250 letters as Windows-1252 shows them (è for č, ø for ř ...).
GARBLED_1250 = {letter.encode("cp1250").decode("cp1252", errors="replace"): letter
                for letter in _CZECH_ONLY if letter.encode("cp1250").decode("cp1252", errors="replace") != REPLACEMENT}
#: Characters of which at least one is in any garbled text: a cheap test before looking closer.
MARKERS = "".join(sorted({k[0] for k in GARBLED_UTF8} | set(GARBLED_1250) | {REPLACEMENT}))


def may_be_garbled(text: str) -> bool:
    """False when ``text`` certainly holds no garbled letters (fast: one scan per marker)."""
    return any(ch in text for ch in MARKERS)


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    damaged: int = 0  # characters replaced by U+FFFD because their bytes were not valid UTF-8


def decode_text(data: bytes) -> DecodedText:
    """Decode a CSV file: BOM, strict UTF-8, UTF-8 with a few damaged bytes, else Windows-1250."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        return DecodedText(text, "utf-8-sig", text.count(REPLACEMENT))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(data.decode("utf-16"), "utf-16")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        failed_at = exc.start
    if _mostly_broken(data[max(0, failed_at - _SAMPLE):failed_at + _SAMPLE]):
        try:  # the usual Windows-1250 export: no need to read it as UTF-8 first
            return DecodedText(data.decode("cp1250"), "cp1250")
        except UnicodeDecodeError:
            pass
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count(REPLACEMENT)
    # letters that were valid UTF-8 sequences: each adds at least one byte over its one character
    # (a replacement character is three bytes for one)
    multibyte = len(lenient.encode("utf-8")) - len(lenient) - 2 * damaged
    if multibyte >= 10 * damaged:  # mostly valid UTF-8 letters: a UTF-8 file with a few broken bytes
        return DecodedText(lenient, "utf-8", damaged)
    try:
        return DecodedText(data.decode("cp1250"), "cp1250")
    except UnicodeDecodeError as exc:
        if damaged <= max(5, len(lenient) // 100):  # not Windows-1250 either: UTF-8 with a few broken bytes
            return DecodedText(lenient, "utf-8", damaged)
        raise DataError("the text encoding is neither UTF-8 nor Windows-1250 "
                        f"(byte {data[exc.start]:#04x} at position {exc.start})") from exc


_SAMPLE = 1 << 16


def _mostly_broken(sample: bytes) -> bool:
    """Whether most non-ASCII characters of a byte sample are not valid UTF-8 (a Windows-1250 file)."""
    text = sample.decode("utf-8", errors="replace")
    damaged = text.count(REPLACEMENT)
    multibyte = len(text.encode("utf-8")) - len(text) - 2 * damaged
    return damaged > 3 and multibyte < 10 * damaged


def file_may_be_garbled(data: bytes, decoded: DecodedText) -> bool:
    """:func:`may_be_garbled` for a whole file, on its bytes where that is faster (Windows-1250)."""
    if decoded.encoding == "cp1250":
        return any(marker in data for marker in _markers_1250())
    return may_be_garbled(decoded.text)


def _markers_1250() -> list[bytes]:
    out = []
    for ch in MARKERS:
        try:
            out.append(ch.encode("cp1250"))
        except UnicodeEncodeError:
            continue
    return out


def is_garbled(value: str) -> bool:
    """Whether ``value`` holds garbled Czech letters or a replacement character."""
    if REPLACEMENT in value or _GARBLED_UTF8_RE.search(value):
        return True
    return any(ch in GARBLED_1250 for ch in value) and not (_CZECH_ONLY & set(value))


def repair(value: str, *, western: bool = True) -> tuple[str, str | None]:
    """``(repaired, how)``: the value read back in the right encoding, and which wrong reading it
    undid (``"utf-8 as windows-1250"`` ...); ``how`` is None when nothing was garbled or the value
    cannot be repaired (then ``repaired`` is the value unchanged). ``western=False`` leaves
    Windows-1250-as-1252 alone (è, ø ... are also letters of foreign names)."""
    if not is_garbled(value) or REPLACEMENT in value:
        return value, None
    if _GARBLED_UTF8_RE.search(value):
        for wrong in _WRONG_READINGS:
            try:
                fixed = value.encode(wrong).decode("utf-8")
            except UnicodeError:
                continue
            if fixed != value and not is_garbled(fixed):
                return fixed, f"utf-8 as {_NAMES[wrong]}"
        return value, None
    if not western:
        return value, None
    try:
        fixed = value.encode("cp1252").decode("cp1250")
    except UnicodeError:
        return value, None
    return (fixed, "windows-1250 as windows-1252") if fixed != value else (value, None)


#: How each wrong reading is described to the user: (Czech, English); the file "is probably in ...".
READINGS = {
    "utf-8 as windows-1250": ("text v kódování UTF-8 byl jednou přečten a uložen jako Windows-1250",
                              "UTF-8 text was once read and saved as Windows-1250"),
    "utf-8 as windows-1252": ("text v kódování UTF-8 byl jednou přečten a uložen jako Windows-1252 (západoevropské)",
                              "UTF-8 text was once read and saved as Windows-1252 (Western European)"),
    "utf-8 as latin-1": ("text v kódování UTF-8 byl jednou přečten a uložen jako ISO-8859-1",
                         "UTF-8 text was once read and saved as ISO-8859-1"),
    "windows-1250 as windows-1252": ("text v kódování Windows-1250 byl jednou přečten a uložen jako Windows-1252 "
                                     "(západoevropské)",
                                     "Windows-1250 text was once read and saved as Windows-1252 (Western European)"),
}


@dataclass(frozen=True)
class GarbledCells:
    """What :func:`scan_values` found: repaired values, what was undone, and what could not be."""
    repaired: dict[str, str]  # garbled value -> repaired value
    readings: dict[str, int]  # wrong reading undone -> number of distinct values
    broken: tuple[str, ...]  # garbled values that could not be repaired


def scan_values(values: list[str]) -> GarbledCells:
    """Look at the distinct text values of a file (cells and headers) for garbled letters.

    Windows-1250 text shown as Windows-1252 (ø for ř) is repaired only when no value has a
    letter that only Czech has (ř, ě, č ...) and at least three values look garbled that way:
    otherwise è or ø are more likely letters of foreign names.
    """
    garbled = [v for v in values if is_garbled(v)]
    western = [v for v in garbled if REPLACEMENT not in v and not _GARBLED_UTF8_RE.search(v)]
    allow_western = len(western) >= 3 and not any(_CZECH_ONLY & set(v) for v in values)
    repaired: dict[str, str] = {}
    readings: dict[str, int] = {}
    broken: list[str] = []
    for value in garbled:
        if value in western and not allow_western:
            continue
        fixed, how = repair(value, western=allow_western)
        if how is None:
            broken.append(value)
        else:
            repaired[value] = fixed
            readings[how] = readings.get(how, 0) + 1
    return GarbledCells(repaired, readings, tuple(broken))
