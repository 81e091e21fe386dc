"""Who commissioned and who wrote the evaluation, and how independent it is.

Formal standards of evaluation reports (the Czech Evaluation Society's, the Magenta Book's)
ask for the commissioning body, the evaluator and authors, the status and version of the
document, and a statement of independence and of conflicts of interest. The toolkit cannot
know these: they come from the run configuration (``render_reports(..., authorship={...})``,
or a YAML file). Every field left out is printed as a clearly marked placeholder for the
evaluator (``[DOPLNÍ ZPRACOVATEL: …]``), so that a draft cannot pass for a finished report.

A value is a text, a ``{"cs": ..., "en": ...}`` pair, or (authors) a list of texts.

Example
-------
>>> info = Authorship.from_config({"evaluator": "Ústav pro hodnocení, Praha"})
>>> info.value("evaluator", "cs")
'Ústav pro hodnocení, Praha'
>>> info.value("commissioner", "cs")  # doctest: +ELLIPSIS
'[**[DOPLNÍ ZPRACOVATEL: název a sídlo zadavatele]**]{.placeholder custom-style="Placeholder"}'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError

#: Fields in the order the reports print them.
FIELDS = ("commissioner", "evaluator", "authors", "contract", "funding", "status", "version", "contact",
          "quality_review", "independence", "conflicts_of_interest")
#: Fields of the short table under the title of the technical report.
FRONT_FIELDS = ("commissioner", "evaluator", "authors", "status", "version")
#: Fields printed as paragraphs (statements) rather than table rows.
STATEMENTS = ("independence", "conflicts_of_interest")


def _text(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("cs") or value.get("en") or "")
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v, lang) for v in value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Authorship:
    """Authorship and independence fields given by the evaluator (missing ones are placeholders)."""

    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | str | os.PathLike[str] | None) -> Authorship:
        """From a mapping, a YAML file, or None (every field a placeholder)."""
        if config is None:
            return cls({})
        if isinstance(config, Authorship):
            return config
        if isinstance(config, (str, os.PathLike)):
            config = _read_yaml(Path(config))
        if not isinstance(config, Mapping):
            raise ConfigError(f"authorship must be a mapping of fields ({', '.join(FIELDS)}), not "
                              f"{type(config).__name__}")
        unknown = sorted(set(config) - set(FIELDS))
        if unknown:
            raise ConfigError(f"authorship: unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}")
        for key, value in config.items():
            if not isinstance(value, (str, Mapping, list, tuple)) and value is not None:
                raise ConfigError(f"authorship: {key} must be a text, a {{cs, en}} pair or a list of texts, "
                                  f"not {value!r}")
        return cls(dict(config))

    def given(self, name: str, lang: str) -> str:
        """The evaluator's text for ``name`` ('' when not given)."""
        return _text(self.values.get(name), lang).strip()

    def value(self, name: str, lang: str) -> str:
        """The text of ``name`` (Markdown), or its marked placeholder."""
        text = self.given(name, lang)
        if text:
            from evaluation.reporting.assemble import md_escape

            return md_escape(text)
        return placeholder(name, lang)

    def rows(self, lang: str, fields: tuple[str, ...] = FIELDS) -> list[tuple[str, str]]:
        """(label, value) rows for ``fields`` without the statements."""
        from evaluation.reporting.assemble import load_translations

        labels = load_translations(lang)["authorship"]["labels"]
        return [(labels[f], self.value(f, lang)) for f in fields if f not in STATEMENTS]

    def statements(self, lang: str) -> list[tuple[str, str]]:
        from evaluation.reporting.assemble import load_translations

        labels = load_translations(lang)["authorship"]["labels"]
        return [(labels[f], self.value(f, lang)) for f in STATEMENTS]


def placeholder(name: str, lang: str) -> str:
    """A visible placeholder for a field the evaluator has to fill in (bold, bracketed, highlighted
    in HTML and Word)."""
    from evaluation.reporting.assemble import load_translations

    t = load_translations(lang)["authorship"]
    return f'[**[{t["placeholder_prefix"]}: {t["placeholders"][name]}]**]{{.placeholder custom-style="Placeholder"}}'


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the authorship file {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"the authorship file {path} is not valid YAML: {error}") from error
