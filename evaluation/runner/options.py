"""Declared options: one rule per configuration key and notebook parameter, checked before anything runs.

An :class:`Option` names a value, its default, the rule it must follow (a :class:`Spec`) and
what it means in English and Czech. The same declaration checks a run configuration
(:mod:`evaluation.runner.config`), checks the parameters a notebook receives
(:func:`evaluation.runner.session.open_session`), writes each notebook's ``parameters`` cell
(``notebooks/build_notebooks.py``), the JSON Schema ``configs/config.schema.json``, the
tables of configuration keys in the READMEs and the commented configuration of
``evaluation init``.

Example
-------
>>> threshold = Option("disclosure_threshold", Integer(minimum=2), 5, "smallest publishable cell",
...                    "nejmenší zveřejnitelná buňka")
>>> threshold.check(7)
7
>>> threshold.check(1)
Traceback (most recent call last):
...
evaluation.runner.options.Invalid: must be a whole number of at least 2
>>> did_you_mean("municipalty", ["municipality", "lang"])
" (did you mean 'municipality'?)"
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any


class Invalid(ValueError):
    """A value breaks its rule; the message is the rule in words ("must be ...")."""


@dataclass(frozen=True)
class Context:
    """Where relative paths start (the configuration file's folder, or the working folder)."""

    base_dir: Path = Path(".")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    # short words differ by a larger share in one letter ("cz" for "cs")
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.5 if len(str(name)) <= 4 else 0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Spec:
    """A rule for one value: :meth:`check` returns the value to use or raises :class:`Invalid`;
    :meth:`words` says the rule for people, :meth:`json` for JSON Schema."""

    def check(self, value: Any, context: Context) -> Any:
        raise NotImplementedError

    def words(self) -> str:
        raise NotImplementedError

    def json(self) -> dict[str, Any]:
        raise NotImplementedError

    def fail(self) -> Invalid:
        return Invalid(f"must be {self.words()}")

    def same_kind(self, value: Any) -> bool:
        """Whether ``value`` is the kind of value this rule is about (a mapping for a mapping rule),
        so that among alternatives its own, specific message is the one to give."""
        return False

    def shown(self, value: Any) -> str:
        """``value`` as a message quotes it (a rule about secrets masks them)."""
        return repr(value)


@dataclass(frozen=True)
class Integer(Spec):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, context: Context) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or \
                (self.minimum is not None and value < self.minimum) or \
                (self.maximum is not None and value > self.maximum):
            raise self.fail()
        return value

    def words(self) -> str:
        return "a whole number" + _range_words(self.minimum, self.maximum, False)

    def json(self) -> dict[str, Any]:
        return {"type": "integer", **_range_json(self.minimum, self.maximum, False)}


@dataclass(frozen=True)
class Number(Spec):
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False

    def check(self, value: Any, context: Context) -> float | int:
        if not _is_number(value) or math.isnan(value) or \
                (self.minimum is not None and (value <= self.minimum if self.exclusive_minimum
                                               else value < self.minimum)) or \
                (self.maximum is not None and (value >= self.maximum if self.exclusive_maximum
                                               else value > self.maximum)):
            raise self.fail()
        return value

    def words(self) -> str:
        return "a number" + _range_words(self.minimum, self.maximum, self.exclusive_minimum, self.exclusive_maximum)

    def json(self) -> dict[str, Any]:
        return {"type": "number", **_range_json(self.minimum, self.maximum, self.exclusive_minimum,
                                                self.exclusive_maximum)}


def _range_words(minimum: float | None, maximum: float | None, exclusive: bool, exclusive_max: bool = False) -> str:
    if minimum is not None and maximum is not None:
        if exclusive and exclusive_max:
            return f" between {minimum:g} and {maximum:g} (both excluded)"
        if exclusive or exclusive_max:
            low = f"greater than {minimum:g}" if exclusive else f"of at least {minimum:g}"
            high = f"below {maximum:g}" if exclusive_max else f"at most {maximum:g}"
            return f" {low} and {high}"
        return f" from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f" greater than {minimum:g}" if exclusive else f" of at least {minimum:g}"
    if maximum is not None:
        return f" below {maximum:g}" if exclusive_max else f" of at most {maximum:g}"
    return ""


def _range_json(minimum: float | None, maximum: float | None, exclusive: bool,
                exclusive_max: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if minimum is not None:
        out["exclusiveMinimum" if exclusive else "minimum"] = minimum
    if maximum is not None:
        out["exclusiveMaximum" if exclusive_max else "maximum"] = maximum
    return out


@dataclass(frozen=True)
class Text(Spec):
    """Any non-empty text (a municipality name, a folder given to a notebook); ``kind`` names it."""

    kind: str = "non-empty text"

    def check(self, value: Any, context: Context) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail()
        return value.strip()

    def words(self) -> str:
        return f"a {self.kind}"

    def json(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class Address(Spec):
    """A network address ``scheme://host:port`` with one of ``schemes`` (a Dask scheduler's)."""

    schemes: tuple[str, ...] = ("tcp", "tls")
    kind: str = "address"

    def check(self, value: Any, context: Context) -> str:
        if not isinstance(value, str):
            raise self.fail()
        scheme, _, rest = value.strip().partition("://")
        host, _, port = rest.rpartition(":")
        if scheme not in self.schemes or not host or not port.isdigit():
            raise self.fail()
        return value.strip()

    def words(self) -> str:
        return f"{'a' if self.kind[0] not in 'aeiou' else 'an'} {self.kind} written " + \
            " or ".join(f"{s}://host:port" for s in self.schemes)

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, str)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^({'|'.join(self.schemes)})://.+:[0-9]+$"}


@dataclass(frozen=True)
class Boolean(Spec):
    def check(self, value: Any, context: Context) -> bool:
        if not isinstance(value, bool):
            raise self.fail()
        return value

    def words(self) -> str:
        return "true or false"

    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Choice(Spec):
    """One of a few words; ``values`` may be a function (codes read from the data contract)."""

    values: Sequence[str] | Callable[[], Sequence[str]]

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.values() if callable(self.values) else self.values)

    def check(self, value: Any, context: Context) -> str:
        if value not in self.choices:
            raise Invalid(f"must be {self.words()}" + did_you_mean(str(value), self.choices))
        return value

    def words(self) -> str:
        return "one of " + ", ".join(self.choices)

    def json(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


@dataclass(frozen=True)
class Word(Spec):
    """Exactly one word with a meaning (``all``, ``pooled``, ``auto``)."""

    value: str

    def check(self, value: Any, context: Context) -> str:
        if value != self.value:
            raise self.fail()
        return value

    def words(self) -> str:
        return repr(self.value)

    def json(self) -> dict[str, Any]:
        return {"const": self.value}


@dataclass(frozen=True)
class Date(Spec):
    """A date written YYYY-MM-DD (YAML dates too); returned as that text."""

    def check(self, value: Any, context: Context) -> str:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise self.fail()

    def words(self) -> str:
        return "a date written YYYY-MM-DD"

    def json(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Folder(Spec):
    """A folder path, relative to the context's folder; returned absolute."""

    must_exist: bool = True

    def check(self, value: Any, context: Context) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise self.fail()
        path = (context.base_dir / Path(value.strip()).expanduser()).resolve()
        if self.must_exist and not path.is_dir():
            raise Invalid(f"must be an existing folder; {path} does not exist")
        if path.exists() and not path.is_dir():
            raise Invalid(f"must be a folder; {path} is a file")
        return path

    def words(self) -> str:
        return "the path of an existing folder" if self.must_exist else "a folder path (created when missing)"

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, str)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class DataSource(Spec):
    """Where the data are: an existing folder (as :class:`Folder`) or a PostgreSQL address, checked
    (no password in it) and returned as text."""

    def check(self, value: Any, context: Context) -> Path | str:
        from evaluation.data.database import DatabaseSource, is_database_address
        from evaluation.errors import ConfigError

        if is_database_address(value):
            try:
                DatabaseSource.parse(value)
            except ConfigError as exc:
                raise Invalid(f"must be a usable database address: {exc}") from None
            return value.strip()
        return Folder(must_exist=True).check(value, context)

    def words(self) -> str:
        return ("the path of an existing folder, or a PostgreSQL address postgresql://host/database?schema=… "
                "(the password from the environment, never in the address)")

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, str)

    def shown(self, value: Any) -> str:
        from evaluation.data.database import is_database_address, masked_address

        return repr(masked_address(value)) if is_database_address(value) else repr(value)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class File(Spec):
    """A file path, relative to the context's folder; returned absolute (as text, for notebooks)."""

    suffixes: tuple[str, ...] = ()

    def check(self, value: Any, context: Context) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail()
        path = (context.base_dir / Path(value.strip()).expanduser()).resolve()
        if not path.is_file():
            raise Invalid(f"must be an existing file; {path} does not exist")
        if self.suffixes and path.suffix.lower() not in self.suffixes:
            raise self.fail()
        return str(path)

    def words(self) -> str:
        kinds = f" ({', '.join(self.suffixes)})" if self.suffixes else ""
        return f"the path of an existing file{kinds}"

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, str)

    def json(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class Null(Spec):
    """``null`` (YAML) / ``None`` (Python), with what it means."""

    meaning: str = "not set"

    def check(self, value: Any, context: Context) -> None:
        if value is not None:
            raise self.fail()

    def words(self) -> str:
        return f"null ({self.meaning})"

    def json(self) -> dict[str, Any]:
        return {"type": "null"}


@dataclass(frozen=True)
class AnyOf(Spec):
    """The first of ``specs`` that accepts the value."""

    specs: tuple[Spec, ...]

    def check(self, value: Any, context: Context) -> Any:
        errors = []
        for spec in self.specs:
            try:
                return spec.check(value, context)
            except Invalid as exc:
                errors.append((spec, exc))
        # a mapping with a wrong key, a path that does not exist: say that, not every alternative
        specific = [exc for spec, exc in errors if spec.same_kind(value)]
        raise specific[0] if len(specific) == 1 else self.fail()

    def words(self) -> str:
        return " or ".join(spec.words() for spec in self.specs)

    def json(self) -> dict[str, Any]:
        return {"anyOf": [spec.json() for spec in self.specs]}


@dataclass(frozen=True)
class QuestionList(Spec):
    """Evaluation questions: a list of entries (each a mapping with an ``id``; an id of the pilots'
    questions changes only the keys it gives) checked by :func:`evaluation.findings.load_questions`."""

    def check(self, value: Any, context: Context) -> Any:
        from evaluation.errors import ConfigError
        from evaluation.findings import load_questions

        entries = value.get("questions") if isinstance(value, Mapping) else value
        if not isinstance(entries, list) or not entries or not all(isinstance(v, Mapping) for v in entries):
            raise self.fail()
        if isinstance(value, Mapping) and set(value) - {"questions", "replace_defaults"}:
            raise Invalid("a mapping of questions takes only the keys questions and replace_defaults")
        checked: Any = ({"questions": [dict(v) for v in entries],
                         "replace_defaults": bool(value.get("replace_defaults", False))}
                        if isinstance(value, Mapping) else [dict(v) for v in entries])
        try:
            load_questions(checked)
        except ConfigError as error:
            raise Invalid(f"must be valid evaluation questions: {error}") from None
        return checked

    def words(self) -> str:
        return ("a list of evaluation questions (mappings with an id, see evaluation.findings.questions), or "
                "{questions: [...], replace_defaults: true} to keep only those")

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, (list, Mapping))

    def json(self) -> dict[str, Any]:
        items = {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id"]}}
        return {"anyOf": [items, {"type": "object", "required": ["questions"], "additionalProperties": False,
                                  "properties": {"questions": items, "replace_defaults": {"type": "boolean"}}}]}


@dataclass(frozen=True)
class ListOf(Spec):
    """A list of values that each follow ``item`` (a single value counts as a list of one when
    ``single`` is true)."""

    item: Spec
    min_items: int = 1
    unique: bool = True
    single: bool = False

    def check(self, value: Any, context: Context) -> list[Any]:
        if self.single and not isinstance(value, list):
            value = [value]
        if not isinstance(value, list) or len(value) < self.min_items:
            raise self.fail()
        checked = []
        for v in value:
            try:
                checked.append(self.item.check(v, context))
            except Invalid as exc:
                # a misspelt word in a list gets the same suggestion as a misspelt single value
                hint = str(exc)[str(exc).find(" (did you mean"):] if " (did you mean" in str(exc) else ""
                raise (Invalid(f"must be {self.words()}; {v!r} is not among them{hint}") if hint
                       else self.fail()) from None
        if self.unique and len({repr(v) for v in checked}) < len(checked):
            raise Invalid(f"must be {self.words()}; a value is listed twice")
        return checked

    def words(self) -> str:
        least = "" if self.min_items == 0 else (" one or more" if self.min_items == 1 else f" {self.min_items}+")
        items = f"{self.item.kind}s" if isinstance(self.item, Text) else _plural(self.item.words())
        return f"a list of{least} {items}"

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, list)

    def json(self) -> dict[str, Any]:
        out = {"type": "array", "items": self.item.json(), "minItems": self.min_items}
        if self.unique:
            out["uniqueItems"] = True
        return out


def _plural(words: str) -> str:
    for singular, plural in (("a whole number", "whole numbers"), ("a number", "numbers"),
                             ("one of", "values among")):
        if words.startswith(singular):
            return plural + words[len(singular):]
    return words


@dataclass(frozen=True)
class Pair(Spec):
    """Two values: ``[first, second]``, each with its own rule."""

    first: Spec
    second: Spec
    names: tuple[str, str] = ("first", "last")

    def check(self, value: Any, context: Context) -> list[Any]:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise self.fail()
        try:
            return [self.first.check(value[0], context), self.second.check(value[1], context)]
        except Invalid:
            raise self.fail() from None

    def words(self) -> str:
        return (f"a list of two values [{self.names[0]}, {self.names[1]}]: {self.names[0]} "
                f"{self.first.words()}, {self.names[1]} {self.second.words()}")

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, (list, tuple))

    def json(self) -> dict[str, Any]:
        return {"type": "array", "prefixItems": [self.first.json(), self.second.json()],
                "minItems": 2, "maxItems": 2, "items": False}


@dataclass(frozen=True)
class Record(Spec):
    """A mapping with known keys, each a nested :class:`Option` (unknown keys are errors)."""

    options: tuple[Option, ...]
    required: tuple[str, ...] = ()

    def check(self, value: Any, context: Context) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail()
        problems = check_mapping(value, options_by_name(self.options), context, required=self.required)
        if problems:
            raise Invalid(f"must be {self.words()}: " + "; ".join(problems))
        return {o.name: o.spec.check(value[o.name], context) for o in self.options if o.name in value}

    def same_kind(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def words(self) -> str:
        keys = ", ".join(o.name for o in self.options)
        return f"a mapping with the key(s) {keys}" + (f" ({', '.join(self.required)} required)"
                                                      if self.required else "")

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": False,
                               "properties": {o.name: o.json() for o in self.options}}
        if self.required:
            out["required"] = list(self.required)
        return out


def check_mapping(value: Mapping, options: Mapping[str, Option], context: Context, *,
                  required: Iterable[str] = (), prefix: str = "") -> list[str]:
    """Every problem of a mapping against its options, one sentence each: unknown keys (with
    "did you mean"), missing required keys, values breaking their rule (key, value and rule)."""
    problems: list[str] = []
    for key in value:
        if key not in options:
            problems.append(f"unknown key '{prefix}{key}'{did_you_mean(str(key), options)}; "
                            f"known keys{' of ' + prefix.rstrip('.') if prefix else ''}: {', '.join(options)}")
    for key in required:
        if key not in value:
            problems.append(f"{prefix}{key} is missing: it {options[key].spec.fail()}")
    for key, option in options.items():
        if key in value:
            try:
                option.spec.check(value[key], context)
            except Invalid as exc:
                problems.append(f"{prefix}{key}: {option.spec.shown(value[key])} is not allowed: it {exc}")
    return problems


@dataclass(frozen=True)
class Option:
    """One configuration key or notebook parameter: rule, default, meaning (English, Czech)."""

    name: str
    spec: Spec
    default: Any
    help: str
    help_cs: str = ""
    #: shown in the documentation instead of the default (e.g. "the package's notebooks/")
    default_text: str = ""

    def check(self, value: Any, context: Context | None = None) -> Any:
        return self.spec.check(value, context or Context())

    def json(self) -> dict[str, Any]:
        out = {"description": self.help, **self.spec.json()}
        if self.default is not None or isinstance(self.spec, (Null, AnyOf)):
            out["default"] = self.default
        return out


def options_by_name(options: Iterable[Option]) -> Mapping[str, Option]:
    return MappingProxyType({o.name: o for o in options})


def nullable(spec: Spec, meaning: str) -> AnyOf:
    return AnyOf((Null(meaning), spec))


# --------------------------------------------------------------------------- notebook parameters

def _programme_steps() -> tuple[str, ...]:
    from evaluation.data.schema import get_schema

    return get_schema().table("tenancies").field("step").codes


#: Parameters every notebook declares, in the order of its ``parameters`` cell. ``None`` for
#: municipality / programme step / period means "all". The defaults are where ``make demo``
#: (``evaluation demo --out output``) writes, seen from the notebooks' folder.
#: (No apostrophe or "=" in a help text: papermill cannot parse the parameters cell then.)
COMMON: Mapping[str, Option] = options_by_name([
    Option("data_dir", Text("folder path"), "../output/data/parquet",
           "folder with the data files (CSV, XLSX or Parquet) named after the tables",
           "složka s datovými soubory (CSV, XLSX nebo Parquet) pojmenovanými podle tabulek"),
    Option("results_dir", Text("folder path"), "../output/internal/results",
           "internal results folder the notebook stores into (one sub-folder per scope and strand; never shared)",
           "interní složka výsledků, kam sešit ukládá (podsložka pro každý rozsah a část; nesdílí se)"),
    Option("municipality", nullable(Text("municipality name"), "all municipalities, pooled"), None,
           "one municipality, or None for all (pooled)", "jedna obec, nebo None pro všechny (souhrnně)"),
    Option("programme_step", nullable(Choice(_programme_steps), "all steps"), None,
           "crisis / social / affordable / housing_first, or None for all",
           "stupeň programu (crisis / social / affordable / housing_first), nebo None pro všechny"),
    Option("period_start", nullable(Date(), "from the start of the study period"), None,
           "first day of the period analysed (YYYY-MM-DD), or None",
           "první den analyzovaného období (RRRR-MM-DD), nebo None"),
    Option("period_end", nullable(Date(), "to the end of the study period"), None,
           "last day of the period analysed (YYYY-MM-DD), or None",
           "poslední den analyzovaného období (RRRR-MM-DD), nebo None"),
    Option("lang", Choice(("cs", "en")), "cs", "language of labels and texts: cs or en",
           "jazyk popisků a textů: cs nebo en"),
    Option("disclosure_threshold", Integer(minimum=2), 5,
           "cells with fewer households than this are suppressed",
           "buňky s menším počtem domácností se nezveřejňují"),
    Option("seed", Integer(minimum=0), 2019, "random seed (bootstrap, matching ties)",
           "počáteční hodnota náhodných čísel (bootstrap, shody při párování)"),
    Option("on_error", Choice(("raise", "exclude")), "raise",
           "rows breaking the data contract: raise (stop) or exclude (drop and count them)",
           "řádky porušující datovou specifikaci: raise (zastavit) nebo exclude (vyřadit a započítat)"),
])
