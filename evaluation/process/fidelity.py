"""Fidelity to a programme model, scored from a scale kept as data: items, domains, ratings, scoring.

A *scale* is a YAML item bank (``evaluation/process/scales/<id>.yaml``, or a path): its domains and
items with Czech and English titles, the response range, how domains and the total are scored, what
to do with unrated items, and interpretation bands if the scale defines them. The first scale is the
Pathways Housing First Fidelity Scale (Stefancic, Tsemberis, Messeri, Drake & Goering 2013; 38 items
in 5 domains rated 1–4), scored as in the At Home/Chez Soi trial: domain = mean item rating, total =
sum of the 38 ratings (range 38–152) and its percentage of that range, (total − 38)/(152 − 38)
(Goering et al. 2016 report a mean of 136.6, "87 % of maximum value").

The evaluator fills in a table of ratings — one row per programme and item, in CSV (Czech
conventions: ``;``, decimal comma, UTF-8 or Windows-1250) or XLSX, the formats
:mod:`evaluation.data.readers` reads; :func:`fidelity_template` writes one to fill in. Columns
(Czech or English headers): ``program``/``programme``, ``položka``/``item`` (the item code, or its
Czech or English title), ``hodnocení``/``rating`` (empty, ``-``, ``N/A`` or ``nelze hodnotit`` when
an item could not be rated) and optionally ``poznámka``/``note``. :func:`read_ratings` lists every
problem at once — unknown items, ratings that are not numbers or lie outside the range, duplicates —
naming the file, row, column and value.

Unrated items follow the scale's rule: ``prorate`` scores a domain from its rated items when at most
``max_missing_share`` of them are unrated (its share of the total becomes mean × items) and leaves the
domain and the total unscored otherwise; ``complete`` needs every item.

Example
-------
>>> import pandas as pd
>>> scale = load_scale("pathways_hf")
>>> scale.n_items, [d.id for d in scale.domains][:2]
(38, ['housing_choice_structure', 'separation_housing_services'])
>>> ratings = pd.DataFrame({"programme": "Brno", "item": [i.id for i in scale.items], "rating": 4.0})
>>> result = score_fidelity(ratings, scale)
>>> result.total("Brno")
(152.0, 100.0)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import yaml

from evaluation.data.parsing import parse_column
from evaluation.data.readers import FORMATS, read_raw
from evaluation.data.schema import Field, normalise_label
from evaluation.errors import ConfigError, DataError
from evaluation.reporting.labels import LANGS, check_lang
from evaluation.reporting.plot_labels import legend_above
from evaluation.results import Result

#: The scales shipped with the toolkit (``evaluation/process/scales``).
SCALES_PACKAGE = "evaluation.process"
MISSING_RULES = ("prorate", "complete")

#: Header spellings of the rating file's columns, by role.
COLUMN_SPELLINGS: dict[str, tuple[str, ...]] = {
    "programme": ("programme", "program", "programme name", "název programu", "projekt", "project"),
    "item": ("item", "položka", "kód položky", "item code", "item id", "kritérium", "criterion"),
    "rating": ("rating", "hodnocení", "skóre", "score", "body", "points"),
    "note": ("note", "poznámka", "comment", "komentář", "zdůvodnění"),
    "title": ("název položky", "item title", "title", "název"),
    "criterion_text": ("co znamená plné naplnění", "criterion for full fidelity"),
}
_WORDS: dict[str, tuple[str, str]] = {
    "header": ("Soubor {file}: {n} problém(ů) v hodnocení věrnosti modelu:",
               "File {file}: {n} problem(s) in the fidelity ratings:"),
    "missing_column": ("chybí sloupec „{role}“ (např. {spellings})", "the column “{role}” is missing (e.g. {spellings})"),
    "at": ("řádek {row}, sloupec „{column}“, hodnota „{value}“: ", "row {row}, column “{column}”, value “{value}”: "),
    "unknown_item": ("není položkou škály {scale} (položky {first} … {last})",
                     "is not an item of the scale {scale} (items {first} … {last})"),
    "not_number": ("hodnocení musí být číslo {low}–{high} nebo prázdné (nelze hodnotit)",
                   "the rating must be a number {low}–{high} or empty (not rated)"),
    "out_of_range": ("hodnocení musí ležet v rozsahu {low}–{high}", "the rating must lie between {low} and {high}"),
    "duplicate": ("položka je u programu „{programme}“ hodnocena podruhé (poprvé na řádku {first})",
                  "the item is rated a second time for programme “{programme}” (first on row {first})"),
    "no_programme": ("chybí název programu", "the programme name is missing"),
    "percent_axis": ("Naplnění modelu (% rozsahu škály)", "Fidelity (% of the scale's range)"),
    "total": ("Celkem", "Total"),
}


def _word(key: str, lang: str, **values: Any) -> str:
    return _WORDS[key][LANGS.index(lang)].format(**values)


@dataclass(frozen=True)
class Item:
    id: str
    domain: str
    title_cs: str
    title_en: str
    criterion_cs: str = ""
    criterion_en: str = ""

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en


@dataclass(frozen=True)
class Domain:
    id: str
    title_cs: str
    title_en: str
    items: tuple[str, ...]

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en


@dataclass(frozen=True)
class Band:
    """An interpretation band of the total: from ``lower`` per cent of the range upwards."""
    lower: float
    label_cs: str
    label_en: str


@dataclass(frozen=True)
class FidelityScale:
    """A fidelity scale read from its YAML item bank (see the module docstring)."""

    id: str
    title_cs: str
    title_en: str
    source: str
    minimum: float
    maximum: float
    options: tuple[tuple[float, str, str], ...]
    not_rated: tuple[str, ...]
    domains: tuple[Domain, ...]
    items: tuple[Item, ...]
    missing_rule: str = "prorate"
    max_missing_share: float = 0.0
    bands: tuple[Band, ...] = ()
    version: str = ""

    def title(self, lang: str = "cs") -> str:
        return self.title_cs if lang == "cs" else self.title_en

    @property
    def n_items(self) -> int:
        return len(self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"the scale {self.id!r} has no item {item_id!r}")

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(f"the scale {self.id!r} has no domain {domain_id!r}")

    def item_lookup(self) -> dict[str, str]:
        """Every accepted spelling of an item (its code, Czech or English title) -> its code."""
        lookup: dict[str, str] = {}
        for item in self.items:
            for spelling in (item.id, item.title_cs, item.title_en):
                lookup[normalise_label(spelling)] = item.id
        return lookup

    def band(self, percent: float) -> Band | None:
        hits = [b for b in self.bands if percent >= b.lower]
        return hits[-1] if hits and np.isfinite(percent) else None


def _text_pair(raw: Any, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict) or not raw.get("cs") or not raw.get("en"):
        raise ConfigError(f"{where} needs a Czech and an English text (cs: …, en: …)")
    return str(raw["cs"]), str(raw["en"])


def parse_scale(raw: dict[str, Any], origin: str = "scale") -> FidelityScale:
    """A :class:`FidelityScale` from the YAML mapping, or a ConfigError naming what is wrong."""
    try:
        title_cs, title_en = _text_pair(raw.get("title"), f"{origin}: title")
        response = raw["response_scale"]
        low, high = float(response["minimum"]), float(response["maximum"])
        domains, items = [], []
        for d in raw["domains"]:
            d_cs, d_en = _text_pair(d.get("title"), f"{origin}: domain {d.get('id')!r}")
            ids = []
            for i in d["items"]:
                i_cs, i_en = _text_pair(i.get("title"), f"{origin}: item {i.get('id')!r}")
                c_cs, c_en = _text_pair(i["criterion"], f"{origin}: item {i['id']!r}") if i.get("criterion") else ("", "")
                items.append(Item(str(i["id"]), str(d["id"]), i_cs, i_en, c_cs, c_en))
                ids.append(str(i["id"]))
            domains.append(Domain(str(d["id"]), d_cs, d_en, tuple(ids)))
        options = tuple((float(k), *_text_pair(v, f"{origin}: response option {k}"))
                        for k, v in sorted((response.get("options") or {}).items()))
        missing = raw.get("missing") or {}
        bands = tuple(sorted((Band(float(b["from"]), *_text_pair(b["label"], f"{origin}: band"))
                              for b in raw.get("bands") or []), key=lambda b: b.lower))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: the scale is incomplete or malformed ({type(exc).__name__}: {exc}); it needs "
                          "id, title, response_scale (minimum, maximum), domains with items") from None
    scale = FidelityScale(
        id=str(raw.get("id", origin)), title_cs=title_cs, title_en=title_en, source=str(raw.get("source", "")),
        minimum=low, maximum=high, options=options, not_rated=tuple(map(str, response.get("not_rated", ()))),
        domains=tuple(domains), items=tuple(items), missing_rule=str(missing.get("rule", "complete")),
        max_missing_share=float(missing.get("max_missing_share", 0.0)), bands=bands, version=str(raw.get("version", "")))
    ids = [i.id for i in scale.items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1} | {d.id for d in scale.domains
                                                               if [x.id for x in scale.domains].count(d.id) > 1})
    if duplicated:
        raise ConfigError(f"{origin}: item or domain codes used twice: {', '.join(duplicated)}")
    if not scale.items or low >= high:
        raise ConfigError(f"{origin}: a scale needs items and a response range with minimum < maximum")
    if scale.missing_rule not in MISSING_RULES or not 0 <= scale.max_missing_share < 1:
        raise ConfigError(f"{origin}: missing.rule must be one of {', '.join(MISSING_RULES)} and "
                          "max_missing_share a share in [0, 1)")
    return scale


@lru_cache(maxsize=8)
def load_scale(scale: str | Path = "pathways_hf") -> FidelityScale:
    """A shipped scale by id (``"pathways_hf"``) or a YAML file of one."""
    path = Path(scale)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"fidelity scale file not found: {path}")
        text, origin = path.read_text(encoding="utf-8"), str(path)
    else:
        shipped = resources.files(SCALES_PACKAGE).joinpath("scales", f"{scale}.yaml")
        if not shipped.is_file():
            known = sorted(p.name.removesuffix(".yaml") for p in resources.files(SCALES_PACKAGE).joinpath("scales").iterdir()
                           if p.name.endswith(".yaml"))
            raise ConfigError(f"unknown fidelity scale {scale!r}; shipped scales: {', '.join(known)}")
        text, origin = shipped.read_text(encoding="utf-8"), f"{scale}.yaml"
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: a scale file must hold a mapping (id, title, domains, …)")
    return parse_scale(raw, origin)


def _as_scale(scale: FidelityScale | str | Path) -> FidelityScale:
    return scale if isinstance(scale, FidelityScale) else load_scale(scale)


# ------------------------------------------------------------------------------------------ reading
def _roles(headers: list[str]) -> dict[str, int]:
    spellings = {normalise_label(s): role for role, names in COLUMN_SPELLINGS.items() for s in names}
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        role = spellings.get(normalise_label(header))
        if role and role not in found:
            found[role] = position
    return found


def read_ratings(path: str | Path, scale: FidelityScale | str | Path = "pathways_hf", *, lang: str = "cs") -> pd.DataFrame:
    """The ratings of ``path`` as ``programme, item, rating, note, row`` (rating NaN = not rated), or a
    :class:`~evaluation.errors.DataError` listing every problem with its file, row, column and value.

    Example
    -------
    >>> ratings = read_ratings("hodnoceni_vernosti.csv")  # doctest: +SKIP
    """
    check_lang(lang)
    scale = _as_scale(scale)
    path = Path(path)
    if path.suffix.casefold() not in FORMATS:
        raise DataError(f"{path.name}: unsupported file type; use CSV, XLSX or Parquet")
    if not path.is_file():
        raise FileNotFoundError(f"fidelity ratings not found: {path}")
    raw = read_raw(path, "fidelity", lambda headers: len(_roles(headers)))
    roles = _roles(raw.headers)
    missing = [r for r in ("item", "rating") if r not in roles]
    if missing:
        lines = [_word("missing_column", lang, role=r, spellings=", ".join(COLUMN_SPELLINGS[r][:3])) for r in missing]
        raise DataError("\n".join([_word("header", lang, file=raw.file, n=len(lines)), *lines]))
    frame = raw.frame

    def column(role: str) -> pd.Series:
        return frame[roles[role]] if role in roles else pd.Series([None] * len(frame), index=frame.index)

    programme = column("programme").map(lambda v: str(v).strip() if v is not None and str(v).strip() != "" else None)
    if "programme" not in roles:
        programme = pd.Series(path.stem, index=frame.index)
    items = column("item").map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    lookup = scale.item_lookup()
    codes = items.map(lambda v: lookup.get(normalise_label(v)) if v else None)
    number = Field("rating", "number", "Rating", "Hodnocení", "", "")
    tokens = ("", "NA", "N/A", "-", "null", *scale.not_rated)
    parsed = parse_column(column("rating"), number, tokens, excel=raw.file_format == "xlsx")
    ratings = parsed.values.to_numpy(dtype=float)
    shown_rating = column("rating").map(lambda v: "" if v is None else str(v))
    problems: list[str] = []
    headers = raw.headers
    low, high = f"{scale.minimum:g}", f"{scale.maximum:g}"
    first_row: dict[tuple[str, str], int] = {}
    for k, row in enumerate(raw.rows):
        at = {"row": int(row)}
        if programme.iloc[k] is None:
            problems.append(_word("at", lang, column=headers[roles["programme"]], value="", **at)
                            + _word("no_programme", lang))
        if codes.iloc[k] is None:
            problems.append(_word("at", lang, column=headers[roles["item"]], value=items.iloc[k], **at)
                            + _word("unknown_item", lang, scale=scale.id, first=scale.items[0].id, last=scale.items[-1].id))
        if parsed.invalid[k]:
            problems.append(_word("at", lang, column=headers[roles["rating"]], value=shown_rating.iloc[k], **at)
                            + _word("not_number", lang, low=low, high=high))
        elif np.isfinite(ratings[k]) and not scale.minimum <= ratings[k] <= scale.maximum:
            problems.append(_word("at", lang, column=headers[roles["rating"]], value=shown_rating.iloc[k], **at)
                            + _word("out_of_range", lang, low=low, high=high))
        key = (programme.iloc[k], codes.iloc[k])
        if None not in key:
            if key in first_row:
                problems.append(_word("at", lang, column=headers[roles["item"]], value=items.iloc[k], **at)
                                + _word("duplicate", lang, programme=key[0], first=first_row[key]))
            else:
                first_row[key] = int(row)
    if problems:
        raise DataError("\n".join([_word("header", lang, file=raw.file, n=len(problems)), *problems]))
    notes = column("note").map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                               or not str(v).strip() else str(v).strip())
    return pd.DataFrame({"programme": programme.to_numpy(), "item": codes.to_numpy(), "rating": ratings,
                         "note": notes.to_numpy(), "row": raw.rows})


def fidelity_template(path: str | Path, programmes: list[str], scale: FidelityScale | str | Path = "pathways_hf",
                      *, lang: str = "cs") -> Path:
    """Write a ratings table to fill in: one row per programme and item (CSV with ``;`` and UTF-8 BOM,
    as Czech Excel opens it, or XLSX by the file ending).

    Example
    -------
    >>> fidelity_template("hodnoceni.xlsx", ["Housing First Brno"])  # doctest: +SKIP
    """
    check_lang(lang)
    scale = _as_scale(scale)
    if not programmes:
        raise ConfigError("fidelity_template needs at least one programme name")
    cs = lang == "cs"
    header = (["program", "položka", "název položky", "co znamená plné naplnění", "hodnocení", "poznámka"] if cs else
              ["programme", "item", "item title", "criterion for full fidelity", "rating", "note"])
    rows = [[p, i.id, i.title(lang), i.criterion_cs if cs else i.criterion_en, "", ""]
            for p in programmes for i in scale.items]
    frame = pd.DataFrame(rows, columns=header)
    path = Path(path)
    if path.suffix.casefold() == ".xlsx":
        frame.to_excel(path, index=False, sheet_name="fidelity")
    else:
        frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


# ------------------------------------------------------------------------------------------ scoring
@dataclass(frozen=True)
class FidelityResult(Result):
    """Domain and total scores per programme (``tidy()``), the item ratings, and the scale."""

    profile: pd.DataFrame
    items: pd.DataFrame
    scale: FidelityScale = field(repr=False)
    notes: tuple[str, ...] = ()

    count_columns: ClassVar[tuple[str, ...]] = ()
    figure_drawer: ClassVar[str] = "evaluation.process.fidelity:draw_fidelity_profile"

    @property
    def title(self) -> str:
        return f"Fidelity: {self.scale.title_en}"

    def tidy(self) -> pd.DataFrame:
        return self.profile.copy()

    def total(self, programme: str) -> tuple[float, float]:
        """(total score, percent of the range) of one programme."""
        row = self.profile[(self.profile["programme"] == programme) & (self.profile["domain"] == "total")]
        if row.empty:
            raise KeyError(f"no programme {programme!r}; programmes: {', '.join(self.programmes)}")
        return float(row["score"].iloc[0]), float(row["percent"].iloc[0])

    @property
    def programmes(self) -> list[str]:
        return list(dict.fromkeys(self.profile["programme"]))

    def lowest_items(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` lowest-rated items of each programme (where to improve first)."""
        order = {p: k for k, p in enumerate(self.programmes)}
        rated = self.items.dropna(subset=["rating"])
        rated = rated.assign(_order=rated["programme"].map(order)).sort_values(["_order", "rating"], kind="stable")
        return rated.groupby("programme", sort=False).head(n).drop(columns="_order").reset_index(drop=True)

    def plot(self, ax: Any = None, lang: str = "cs", *, kind: str | None = None, **kwargs: Any) -> Any:
        """Domain profile in per cent of each domain's range: a radar chart (``kind="radar"``, the
        default on new or polar axes) or horizontal bars (``kind="bar"``, the default on other axes)."""
        import matplotlib.pyplot as plt

        check_lang(lang)
        kind = kind or ("radar" if ax is None or getattr(ax, "name", "") == "polar" else "bar")
        if kind not in ("radar", "bar"):
            raise ConfigError(f"kind must be 'radar' or 'bar', not {kind!r}")
        domains = [d for d in self.scale.domains]
        labels = [textwrap.fill(d.title(lang), 18) for d in domains]
        table = self.profile[self.profile["domain"] != "total"]
        if kind == "radar":
            if ax is None:
                ax = plt.subplots(figsize=(6.5, 6), subplot_kw={"projection": "polar"})[1]
            elif getattr(ax, "name", "") != "polar":
                raise ConfigError("a radar chart needs polar axes (subplot_kw={'projection': 'polar'}); use kind='bar'")
            angles = np.linspace(0, 2 * np.pi, len(domains), endpoint=False)
            for k, programme in enumerate(self.programmes):
                values = table[table["programme"] == programme].set_index("domain")["percent"].reindex(
                    [d.id for d in domains]).to_numpy(dtype=float)
                closed = np.r_[values, values[:1]]
                ax.plot(np.r_[angles, angles[:1]], closed, color=f"C{k}", label=programme, **kwargs)
                ax.fill(np.r_[angles, angles[:1]], np.nan_to_num(closed), color=f"C{k}", alpha=0.12)
            ax.set_xticks(angles, labels, fontsize=8)
            ax.set_ylim(0, 100)
            ax.set_yticks([25, 50, 75, 100], ["25 %", "50 %", "75 %", "100 %"], fontsize=7)
            ax.set_title(_word("percent_axis", lang), fontsize=9, pad=18)
        else:
            ax = ax if ax is not None else plt.subplots(figsize=(6.5, 4.2))[1]
            programmes = self.programmes
            height = 0.8 / len(programmes)
            y = np.arange(len(domains))[::-1]
            for k, programme in enumerate(programmes):
                values = table[table["programme"] == programme].set_index("domain")["percent"].reindex(
                    [d.id for d in domains]).to_numpy(dtype=float)
                ax.barh(y + (len(programmes) / 2 - k - 0.5) * height, values, height=height, color=f"C{k}",
                        label=programme, **kwargs)
            ax.set_yticks(y, labels)
            ax.set_xlim(0, 100)
            ax.set_xlabel(_word("percent_axis", lang))
        if len(self.programmes) > 1:
            if kind == "radar":
                ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0.9, 1.12), fontsize=8)
            else:
                legend_above(ax)
        return ax


def draw_fidelity_profile(table: pd.DataFrame, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """Horizontal bars of each domain's fidelity in per cent of its range, one colour per programme,
    from :meth:`FidelityResult.tidy` or its published form (the domain titles are in the table)."""
    import matplotlib.pyplot as plt

    check_lang(lang)
    domains = table[table["domain"] != "total"]
    order = list(dict.fromkeys(domains["domain"]))
    titles = domains.drop_duplicates("domain").set_index("domain")[f"title_{lang}"]
    programmes = list(dict.fromkeys(domains["programme"]))
    ax = ax if ax is not None else plt.subplots(figsize=(6.5, 0.55 * len(order) * max(1, len(programmes)) + 1.5))[1]
    height = 0.8 / len(programmes)
    y = np.arange(len(order))[::-1]
    for k, programme in enumerate(programmes):
        values = pd.to_numeric(domains[domains["programme"] == programme].set_index("domain")["percent"],
                               errors="coerce").reindex(order).to_numpy(dtype=float)
        ax.barh(y + (len(programmes) / 2 - k - 0.5) * height, values, height=height, color=f"C{k}", label=programme,
                **kwargs)
    ax.set_yticks(y, [textwrap.fill(str(titles[d]), 28) for d in order])
    ax.set_xlim(0, 100)
    ax.set_xlabel(_word("percent_axis", lang))
    if len(programmes) > 1:
        legend_above(ax)
    return ax


def _domain_row(scale: FidelityScale, programme: str, domain: Domain, ratings: pd.Series) -> dict[str, Any]:
    values = ratings.reindex(list(domain.items)).to_numpy(dtype=float)
    n, rated = len(values), int(np.isfinite(values).sum())
    unrated_share = 1 - rated / n
    scored = rated > 0 and (unrated_share <= scale.max_missing_share if scale.missing_rule == "prorate" else rated == n)
    mean = float(np.nanmean(values)) if scored else np.nan
    low, high = n * scale.minimum, n * scale.maximum
    score = mean * n if scored else np.nan
    return {"programme": programme, "domain": domain.id, "title_cs": domain.title_cs, "title_en": domain.title_en,
            "n_items": n, "n_rated": rated, "mean_rating": mean, "score": score, "min_score": low,
            "max_score": high, "percent": (score - low) / (high - low) * 100}


def score_fidelity(ratings: pd.DataFrame | str | Path, scale: FidelityScale | str | Path = "pathways_hf", *,
                   lang: str = "cs") -> FidelityResult:
    """Domain and total fidelity scores of each programme in ``ratings`` (a DataFrame with columns
    ``programme, item, rating`` or a file :func:`read_ratings` reads).

    Example
    -------
    >>> result = score_fidelity("hodnoceni_vernosti.xlsx")  # doctest: +SKIP
    >>> result.tidy(); result.plot(lang="cs")  # doctest: +SKIP
    """
    scale = _as_scale(scale)
    if not isinstance(ratings, pd.DataFrame):
        ratings = read_ratings(ratings, scale, lang=lang)
    missing_columns = [c for c in ("programme", "item", "rating") if c not in ratings.columns]
    if missing_columns:
        raise DataError(f"the fidelity ratings lack the column(s) {', '.join(missing_columns)}")
    unknown = sorted(set(ratings["item"].dropna()) - {i.id for i in scale.items})
    if unknown:
        raise DataError(f"items not in the scale {scale.id!r}: {', '.join(map(str, unknown))}")
    values = pd.to_numeric(ratings["rating"], errors="coerce")
    bad = values.notna() & ~values.between(scale.minimum, scale.maximum)
    if bad.any() or (values.isna() & ratings["rating"].notna()).any():
        raise DataError(f"ratings must be numbers between {scale.minimum:g} and {scale.maximum:g}; found "
                        f"{sorted(map(str, ratings.loc[bad | (values.isna() & ratings['rating'].notna()), 'rating']))[:5]}")
    rows, item_rows, notes = [], [], []
    for programme, given in ratings.assign(rating=values).groupby("programme", sort=False):
        by_item = given.drop_duplicates("item", keep="last").set_index("item")
        if len(by_item) < len(given):
            raise DataError(f"programme {programme!r}: some items are rated more than once")
        per_item = by_item["rating"].reindex([i.id for i in scale.items])
        domain_rows = [_domain_row(scale, str(programme), d, per_item) for d in scale.domains]
        rows.extend(domain_rows)
        n, rated = scale.n_items, int(per_item.notna().sum())
        scored = all(np.isfinite(r["score"]) for r in domain_rows)
        total = float(sum(r["score"] for r in domain_rows)) if scored else np.nan
        low, high = n * scale.minimum, n * scale.maximum
        percent = (total - low) / (high - low) * 100
        band = scale.band(percent)
        rows.append({"programme": str(programme), "domain": "total", "title_cs": _WORDS["total"][0],
                     "title_en": _WORDS["total"][1], "n_items": n, "n_rated": rated,
                     "mean_rating": total / n if scored else np.nan, "score": total, "min_score": low,
                     "max_score": high, "percent": percent,
                     "band_cs": band.label_cs if band else None, "band_en": band.label_en if band else None})
        for item in scale.items:
            item_rows.append({"programme": str(programme), "domain": item.domain, "item": item.id,
                              "title_cs": item.title_cs, "title_en": item.title_en, "rating": per_item[item.id],
                              "note": by_item["note"].get(item.id) if "note" in by_item.columns else None})
        if rated < n:
            unscored = [r["domain"] for r in domain_rows if not np.isfinite(r["score"])]
            notes.append(f"{programme}: {n - rated} of {n} items not rated"
                         + (f"; not scored (too many unrated items): {', '.join(unscored)} and the total" if unscored
                            else f"; domains scored from their rated items ({scale.missing_rule})"))
    notes.append(f"{scale.title_en} ({scale.source}); domain score = mean item rating ({scale.minimum:g}–"
                 f"{scale.maximum:g}); total = sum of {scale.n_items} ratings ({scale.n_items * scale.minimum:g}–"
                 f"{scale.n_items * scale.maximum:g}); percent = share of that range")
    if scale.missing_rule == "prorate":
        notes.append(f"unrated items: a domain is scored from its rated items when at most "
                     f"{scale.max_missing_share:.0%} of them are unrated (pro-rated), otherwise not scored")
    if not scale.bands:
        notes.append("the scale defines no interpretation bands (high/low fidelity); none are applied")
    profile = pd.DataFrame(rows)
    for column in ("band_cs", "band_en"):
        if column not in profile.columns:
            profile[column] = None
    return FidelityResult(profile=profile, items=pd.DataFrame(item_rows), scale=scale, notes=tuple(notes))


__all__ = ["Band", "Domain", "FidelityResult", "FidelityScale", "Item", "draw_fidelity_profile", "fidelity_template",
           "load_scale",
           "parse_scale", "read_ratings", "score_fidelity"]
