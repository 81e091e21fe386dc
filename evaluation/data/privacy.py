"""Direct identifiers: recognise them, refuse them, or replace them by keyed pseudonyms.

A column holds direct identifiers when its header says so (rodné číslo, jméno,
příjmení, adresa, telefon, e-mail, číslo OP, datum narození and their English
forms) or when its values do, whatever the header (:func:`content_kind`): valid Czech
birth numbers (:func:`birth_number_mask`), e-mail addresses, Czech phone numbers,
people's names (two or three capitalised words, one of them a common Czech first name,
titles such as Ing. allowed) or street addresses (a street, a house number with its
"/" or a postcode or a town after a comma). Without a pseudonymisation key the loader refuses
such data (:class:`evaluation.errors.IdentifierError`). With a key, birth numbers
in a field of the contract (a household or applicant identifier) are replaced by
``P-`` + the first 16 hex digits of HMAC-SHA256(key, number); the same number
gives the same pseudonym in every table, so joins still work. Identifier columns
that match no field (names, addresses ...) are dropped.

The key lives only inside :class:`Pseudonymiser`, whose ``repr`` hides it; it is
never written to a result, report, ledger or dataset.

Example
-------
>>> import pandas as pd
>>> birth_number_mask(pd.Series(["736028/5163", "7360285163", "HH-001", "736028/5164"])).tolist()
[True, True, False, False]
>>> p = Pseudonymiser(b"secret-key")
>>> a, b = p.apply(pd.Series(["736028/5163", "7360285163"]))
>>> a == b and a.startswith("P-") and len(a) == 18
True
>>> identifier_kind("Rodné číslo"), identifier_kind("Příjmení klienta"), identifier_kind("obec")
('birth_number', 'name', None)
>>> content_kind(pd.Series(["Jan Novák", "Ing. Marie Svobodová", "Dvořák Petr"]))
'name'
>>> content_kind(pd.Series(["Nádražní 1234/5", "Hlavní 12, Ostrava", "U Lípy 5"]))
'address'
>>> content_kind(pd.Series(["Praha 7", "Praha 10", "Brno"])) is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import numpy as np
import pandas as pd

from evaluation.data.columns import header_key
from evaluation.data.names import FIRST_NAMES, TITLES

PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX_DIGITS = 16
#: Share of a column's distinct values that must be valid birth numbers for the column to count as
#: birth numbers; random 9–10 digit codes pass the date and check-digit tests far less often.
BIRTH_NUMBER_SHARE = 0.5
SHARE_SAMPLE = 20_000

_EXACT_HEADERS = {
    "birth_number": {"rc", "r c", "birth number", "birth no", "personal number", "personal id"},
    "name": {"name", "first name", "last name", "full name", "given name", "family name", "client name"},
    "id_card": {"op", "c op", "id card", "passport", "id number"},
    "birth_date": {"dob", "narozen", "narozena", "narozeni"},
}
_HEADER_PHRASES = {
    "birth_number": ("rodne cislo", "rodne c", "birth number", "birth no"),
    "id_card": ("cislo op", "obcansky prukaz", "cislo dokladu", "id card", "passport", "cislo pasu"),
    "birth_date": ("datum narozeni", "date of birth", "birth date", "rok narozeni"),
}
_HEADER_TOKENS = {
    "name": {"jmeno", "prijmeni", "surname", "firstname", "lastname", "forename", "jmena"},
    "address": {"adresa", "address", "bydliste", "ulice", "street", "adresy"},
    "phone": {"telefon", "tel", "phone", "mobil", "mobile", "telefonni", "telefonu"},
    "email": {"email", "mail"},
}
_BIRTH_NUMBER = re.compile(r"^(\d{2})(\d{2})(\d{2})\s*/?\s*(\d{3,4})$")
#: Share of a column's distinct values that must look like names or addresses for the column to count.
CONTENT_SHARE = 0.3
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PHONE_INTERNATIONAL = r"(?:\+|00)\s?420[\s-]?\d{3}[\s-]?\d{3}[\s-]?\d{3}"
_PHONE_GROUPED = r"[2-9]\d{2}[\s-]\d{3}[\s-]\d{3}"
_HOUSE_NUMBER = r"\s(?:č\.\s?p\.\s?)?\d{1,5}[a-zA-Z]?"
_ANY_STREET = r"[^\d,;]*[^\W\d_][^\d,;]*"
# a street by its form: a preposition (U Lípy, Na Pankráci) or the endings of Czech street names
# (Nádražní, Husova, Palackého, Dělnická ...); "Praha 7" or "Brno 2" have neither
_NAMED_STREET = (r"(?:(?:U|Na|Pod|Nad|V|Ve|K|Ke|Za|Před|Mezi|Nám\.)\s[^\d,;]+"
                 r"|[^\d,;]*(?:á|ní|ova|ovo|ého|ých|ích|ů|[Nn]áměstí|[Nn]ám\.|třída|tř\.|nábřeží|sady))")
_ADDRESS = (rf"{_ANY_STREET}{_HOUSE_NUMBER}/\d{{1,5}}[a-zA-Z]?(?:\s*,.*|\s+\d{{3}}\s?\d{{2}}.*)?"
            rf"|{_ANY_STREET}{_HOUSE_NUMBER}(?:\s*,\s*\D.*|\s*,?\s+\d{{3}}\s?\d{{2}}(?:\s.*)?)"
            rf"|{_NAMED_STREET}{_HOUSE_NUMBER}")
_WORD = re.compile(r"[^\W\d_]+(-[^\W\d_]+)?")


def identifier_kind(header: str) -> str | None:
    """The kind of direct identifier a column header announces, or ``None``."""
    key = header_key(header)
    tokens = set(key.split())
    for kind, exact in _EXACT_HEADERS.items():
        if key in exact:
            return kind
    for kind, phrases in _HEADER_PHRASES.items():
        if any(p in key for p in phrases):
            return kind
    for kind, words in _HEADER_TOKENS.items():
        if tokens & words:
            return kind
    return None


def _is_person_name(value: str) -> bool:
    """Two or three capitalised words (titles aside), one of them a common Czech first name."""
    words = [w for w in value.replace(",", " ").split() if w.strip(".").casefold().replace(".", "") not in TITLES
             and not (w.endswith(".") and len(w) <= 6)]
    if not 2 <= len(words) <= 3:
        return False
    if not all(_WORD.fullmatch(w) and (w[0].isupper()) for w in words):
        return False
    return words[0].casefold() in FIRST_NAMES or words[-1].casefold() in FIRST_NAMES


def _distinct(values: pd.Series) -> pd.Series:
    """Distinct non-empty values of a column as stripped text (Arrow strings)."""
    distinct = pd.Series(pd.unique(values.dropna().to_numpy()), dtype=object).astype(str).astype("string[pyarrow]")
    distinct = distinct.str.strip()
    return distinct[(distinct != "").to_numpy(dtype=bool)].reset_index(drop=True)


def _sample(distinct: pd.Series) -> pd.Series:
    """At most :data:`SHARE_SAMPLE` distinct values, spread evenly, to stay fast on big files."""
    step = max(1, len(distinct) // SHARE_SAMPLE)
    return distinct.iloc[::step].reset_index(drop=True)


def _enough(hits: np.ndarray, total: int) -> bool:
    n = int(np.count_nonzero(hits))
    return n >= min(2, total) and n >= CONTENT_SHARE * total


def content_kind(values: pd.Series) -> str | None:
    """The kind of direct identifier the values of a column are, whatever its header, or ``None``.

    Birth numbers, e-mail addresses and phone numbers with +420 count wherever they occur in the
    column (they are unmistakable); names, street addresses and phone numbers written as
    ``603 123 456`` when at least :data:`CONTENT_SHARE` of the distinct values look so.
    """
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return None
    distinct = _distinct(values)
    if distinct.empty:
        return None
    if _birth_numbers_among(distinct):
        return "birth_number"
    text = _sample(distinct)
    if text.str.contains(_EMAIL, regex=True).fillna(False).any():
        return "email"
    if (text.str.contains(_PHONE_INTERNATIONAL, regex=True).fillna(False).any()
            or _enough(text.str.fullmatch(_PHONE_GROUPED).fillna(False).to_numpy(dtype=bool), len(text))):
        return "phone"
    spaced = text.str.contains(r"\S\s+\S", regex=True).fillna(False).to_numpy(dtype=bool)
    if not _enough(spaced, len(text)):
        return None
    candidates = text[spaced]
    if _enough(np.fromiter((_is_person_name(v) for v in candidates), dtype=bool, count=len(candidates)), len(text)):
        return "name"
    if _enough(candidates.str.fullmatch(_ADDRESS).fillna(False).to_numpy(dtype=bool), len(text)):
        return "address"
    return None


def birth_number_mask(values: pd.Series) -> np.ndarray:
    """True where a value is a valid Czech birth number (rodné číslo).

    Checks the form (YYMMDD/XXX before 1954, YYMMDD/XXXX since), the date part
    (month +50 for women; +20 or +70 allowed from 2004), and for 10 digits the
    check: the number is divisible by 11, or the first nine digits leave 10 and the
    last digit is 0 (numbers issued before 1985).
    """
    text = values.astype("string[pyarrow]").str.strip()
    parts = text.str.extract(_BIRTH_NUMBER)
    form_ok = parts[0].notna().to_numpy()
    if not form_ok.any():
        return np.zeros(len(values), dtype=bool)
    yy = pd.to_numeric(parts[0], errors="coerce").fillna(0).astype(int).to_numpy()
    mm = pd.to_numeric(parts[1], errors="coerce").fillna(0).astype(int).to_numpy()
    dd = pd.to_numeric(parts[2], errors="coerce").fillna(0).astype(int).to_numpy()
    tail = parts[3].fillna("")
    ten = (tail.str.len() == 4).to_numpy()
    year = np.where(ten & (yy < 54), 2000 + yy, 1900 + yy)
    nine_ok = ten | (yy < 54)
    extra = ((mm > 20) & (mm <= 32)) | (mm > 70)
    month = np.select([mm > 70, mm > 50, mm > 20], [mm - 70, mm - 50, mm - 20], mm)
    month_ok = (month >= 1) & (month <= 12) & (~extra | (year >= 2004))
    dates = pd.to_datetime(pd.DataFrame({"year": year, "month": np.clip(month, 1, 12), "day": np.clip(dd, 1, 31)}),
                           errors="coerce")
    day_ok = dates.notna().to_numpy() & (dates.dt.day.to_numpy() == dd)
    digits = (parts[0].fillna("0") + parts[1].fillna("0") + parts[2].fillna("0") + tail)
    number = pd.to_numeric(digits.where(ten, "0"), errors="coerce").fillna(0).astype("int64").to_numpy()
    check_ok = ~ten | (number % 11 == 0) | (((number // 10) % 11 == 10) & (number % 10 == 0))
    return form_ok & nine_ok & month_ok & day_ok & check_ok


def looks_like_birth_numbers(values: pd.Series) -> bool:
    """Whether a column holds birth numbers: any valid one written with the slash (every value is
    looked at), or at least half of its distinct values valid birth numbers (judged on an evenly
    spread sample of at most :data:`SHARE_SAMPLE` distinct values, to stay fast on big files)."""
    return _birth_numbers_among(_distinct(values))


def _birth_numbers_among(distinct: pd.Series) -> bool:
    if distinct.empty:
        return False
    slashed = distinct[distinct.str.contains("/", regex=False).to_numpy(dtype=bool)]
    if len(slashed) and birth_number_mask(slashed).any():
        return True
    return bool(birth_number_mask(_sample(distinct)).mean() >= BIRTH_NUMBER_SHARE)


class Pseudonymiser:
    """Replace identifier values by keyed hashes; the key never leaves this object.

    ``Pseudonymiser(None)`` draws a random one-off key: values are still hidden
    from reports, and the pseudonyms cannot be reproduced afterwards.
    """

    __slots__ = ("_key", "reproducible")

    def __init__(self, key: bytes | None) -> None:
        if key is not None and not isinstance(key, (bytes, bytearray)):
            raise TypeError("the pseudonymisation key must be bytes")
        if key is not None and len(key) < 8:
            from evaluation.errors import ConfigError
            raise ConfigError("the pseudonymisation key is too short: use at least 8 bytes (better 32 random bytes)")
        self._key = bytes(key) if key is not None else os.urandom(32)
        self.reproducible = key is not None

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<hidden>)"

    def __reduce__(self):  # never pickle the key along with a dataset
        raise TypeError("a Pseudonymiser holds a secret key and cannot be pickled")

    def pseudonym(self, value: str) -> str:
        canonical = re.sub(r"[\s/]", "", value)
        digest = hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]

    def apply(self, values: pd.Series) -> pd.Series:
        """Pseudonyms for every non-missing value (each distinct value hashed once)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        hashed = np.array([self.pseudonym(str(u).strip()) for u in uniques] + [None], dtype=object)
        return pd.Series(hashed[np.where(codes >= 0, codes, len(uniques))], index=values.index, dtype=object)
