"""The reports checked the way a reader meets them: every format, both languages.

A results folder with every kind of content (plan tables, English estimator notes, negative
numbers, key figures with intervals, findings with an evidence grade and their own
limitations, figures) is rendered to HTML, PDF and DOCX in Czech and English, and each file is
read back:

* structure -- HTML: one ``h1``, no jump in heading levels, ``scope`` on header cells,
  ``lang`` on quoted passages, an A4 print stylesheet; PDF: A4 pages, a contents page, no
  table caption left alone at the foot of a page; DOCX: A4, 2 cm margins, the provenance line
  and page numbers in the footer, headings without jumps, a filled contents list, columns wide
  enough for their numbers and words;
* numbering -- the tables and figures carry the same numbers, 1 to N without gaps, in all three
  formats;
* language -- no sentence of the other language (evaluation.reporting.language), one minus sign;
* sections -- the intervention and its logic model, the comparison with earlier evidence and
  its sources, authorship with placeholders for what the evaluator has not filled in, the
  glossary, the Czech methods appendix, limitations and the evidence slot per finding.
"""

from __future__ import annotations

import sys
from pathlib import Path
import datetime as dt
import itertools
import re
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest

from evaluation.reporting import render_reports
from evaluation.reporting.benchmarks import load_benchmarks
from evaluation.reporting.language import foreign_passages, marked_passages, without
from evaluation.reporting.store import ResultsStore

sys.path.insert(0, str(Path(__file__).parent))
from stores import figure, internal_store, key_figure, published  # noqa: E402

pypdf = pytest.importorskip("pypdf")
docx = pytest.importorskip("docx")

DATE = dt.date(2026, 11, 23)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MUNICIPALITIES = ("Ostrava", "Brno", "Praha")
AUTHORSHIP = {"evaluator": "Institut pro hodnocení sociálních politik, Praha",
              "authors": ["Jana Nováková", "Petr Svoboda"],
              "commissioner": {"cs": "Ministerstvo práce a sociálních věcí", "en": "Ministry of Labour and Social "
                                                                                  "Affairs"}}


def build(root):
    process = internal_store(root, "process")
    process.add_table("reach", pd.DataFrame({
        "step": ["crisis", "crisis", "social", "social"], "measure": ["units", "households"] * 2,
        "planned": [30, 30, 50, 50], "actual": [30, 28, 50, 47], "percent_of_plan": [100.0, 93.3, 100.0, 94.0]}),
        title_cs="Dosah oproti plánu", title_en="Reach against plan",
        notes=[("Households and flats with a programme spell that started by 2020-12-28; cohorts are the distinct "
               "cohort numbers of those households."),
               "Excluded 360 row(s) of households: comparison-group households are not programme reach."])
    process.add_table("applications_received", pd.DataFrame({
        "contact_point": ["KMB Praha 3", "KMB Praha 7"], "2021": [223, 213], "2022": [205, 154],
        "total": [428, 367]}), title_cs="Přijaté žádosti na kontaktních místech podle roku",
        title_en="Applications received at contact points by year", count_columns=["2021", "2022", "total"],
        notes=["As of 2022-12-31."])
    process.add_table("support_dose", pd.DataFrame({
        "step": ["crisis", "social"], "period": ["within_support"] * 2, "households": [30, 50],
        "household_months": [180.0, 874.5], "contacts": [1439, 3673], "hours": [1461.4, 3150.1],
        "hours_per_household_month": [8.12, 3.60], "percent_of_planned_hours": [101.5, 90.1]}),
        title_cs="Intenzita podpory oproti plánu", title_en="Support dose against plan", n_column="households",
        notes=[("Exposure up to 2020-12-28; a household-month is 30.44 days. Planned intensity applies within the "
               "support period of each step (first months of the spell).")])
    figure(process, "occupancy", caption_cs="Obsazenost bytů programu po měsících",
                       caption_en="Monthly occupancy of programme flats")
    key_figure(process, "lost_share", 0.051, label_cs="Podíl ztracených žádostí", label_en="Lost applications",
                           unit="%", n=2483, ci=(0.043, 0.061), decimals=1, n_unit="applications")
    process.add_text("headline", "Do bytů programu se nastěhovalo 78 domácností.", "78 households moved in.")
    process.add_text("finding_contact_points",
                     "Z 2 483 žádostí na kontaktních místech starších než 90 dní zůstalo bez rozhodnutí 5,1 %.",
                     "Of 2,483 applications older than 90 days 5.1% had no decision.")
    process.add_text("evidence_finding_contact_points", "střední (úplná evidence žádostí, bez srovnání)",
                     "moderate (complete register of applications, no comparison)")
    process.add_text("limitation_finding_contact_points", "Evidence žádostí začíná rokem 2020.",
                     "The register of applications starts in 2020.")
    process.add_text("limitation_process_1", "Analýza „Dluhy na nájemném na konci roku podle stupně“ nebyla "
                     "provedena: v datech tohoto rozsahu nejsou záznamy v tabulce „Měsíční evidence nájemného“.",
                     "The analysis “Rent arrears at each year end by step” was not carried out: the data of this "
                     "scope hold no rows of the rent ledger.")
    process.write_meta(data_fingerprint="0123456789abcdef" * 4, parameters={"municipality": None, "pilot_plan": None},
                       date="2026-11-20", study_period=["2016-01-01", "2020-12-31"])

    retention = internal_store(root, "retention")
    for months, value, ci in ((6, 0.97, (0.92, 0.99)), (12, 0.93, (0.87, 0.96)), (20, 0.88, (0.81, 0.92))):
        key_figure(retention, f"housed_{months}m", value, label_cs=f"V bydlení po {months} měsících",
                                 label_en=f"Housed at {months} months", unit="%", n=138, ci=ci)
    retention.add_table("retention", pd.DataFrame({"time": [6, 12, 20], "survival": [0.971, 0.927, 0.876],
                                                   "conf_low": [0.925, 0.869, 0.808],
                                                   "conf_high": [0.989, 0.960, 0.921], "n_risk": [133, 127, 119]}),
                        title_cs="Udržení bydlení (Kaplan–Meier)", title_en="Tenancy retention (Kaplan–Meier)",
                        count_columns=["n_risk"], percent_columns=["survival", "conf_low", "conf_high"],
                        notes=[("Time in months (days / 30.4375). 95% confidence intervals from Greenwood's variance, "
                               "log-log transform.")])
    figure(retention, "retention", caption_cs="Podíl domácností, které si udržely bydlení",
                         caption_en="Share of households still housed")
    retention.add_text("headline", "Z 138 domácností programu si bydlení po 12 měsících udrželo 93 %.",
                       "Of 138 programme households 93% were still housed after 12 months.")
    retention.write_meta(data_fingerprint="0123456789abcdef" * 4, date="2026-11-20",
                         study_period=["2016-01-01", "2020-12-31"])

    impact = internal_store(root, "impact")
    impact.add_table("wild_bootstrap", pd.DataFrame({"estimate": [-0.198], "conf_low": [-0.43], "conf_high": [0.034],
                                                     "p_value": [0.004], "n_clusters": [166]}),
                     title_cs="Wild cluster bootstrap: pilotní obce", title_en="Wild cluster bootstrap: pilots",
                     notes=["166 clusters, 2158 observations", "999 random rademacher draws (seed 2019)",
                            "null imposed (WCR); interval by test inversion"])
    impact.add_table("event_study", pd.DataFrame({"term": ["e=-2", "e=-1", "e=0", "e=+1"],
                                                  "estimate": [120.6, 0.0, -992.6, -3808.1],
                                                  "conf_low": [-324.0, 0.0, -1516.2, -4572.4],
                                                  "conf_high": [565.2, 0.0, -469.0, -3044.3]}),
                     title_cs="Studie událostí: dluh na bydlení kolem nastěhování",
                     title_en="Event study: housing debt around move-in",
                     notes=[("138 treated unit(s), 360 never treated; event window [-12, 24], reference -1, end "
                            "points binned")])
    impact.add_text("method", "Studie událostí (dvousměrné fixní efekty s předstihy a zpožděními); kvůli malému počtu "
                    "pilotních obcí počítáme p-hodnotu wild cluster bootstrapem.",
                    "Event study (two-way fixed effects with leads and lags); with few pilot municipalities the "
                    "p-value comes from the wild cluster bootstrap.")
    impact.add_text("headline", "Oproti srovnávací skupině se dluh na bydlení snížil v průměru o 5 836 Kč.",
                    "Against the comparison group housing debt fell by CZK 5,836 on average.")
    key_figure(impact, "att_households", -5836.2, label_cs="Průměrný efekt na dluh na bydlení",
                          label_en="Average effect on housing debt", unit="CZK", ci=(-6299.0, -5374.0), decimals=0)
    impact.write_meta(data_fingerprint="0123456789abcdef" * 4, date="2026-11-20")

    data = internal_store(root, "data")
    data.add_text("flow", "Z 498 domácností v datech vstoupilo do programu 138.",
                  "Of 498 households in the data 138 entered the programme.")
    data.write_meta(data_fingerprint="0123456789abcdef" * 4, date="2026-11-20")
    return published(root).root


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = build(tmp_path_factory.mktemp("results"))
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for lang in ("cs", "en"):
        for path in render_reports(root, out, lang=lang, engine="pandoc", date=DATE, authorship=AUTHORSHIP):
            paths[path.name] = path
    return paths


# --------------------------------------------------------------------------- reading the files back

class _HTML(HTMLParser):
    """Headings, header cells, captions and the text of an HTML report (passages marked as
    another language than the page's left out of the text)."""

    BLOCKS = frozenset({"p", "li", "td", "th", "caption", "figcaption", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
                        "tr", "div"})

    def __init__(self, lang):
        super().__init__()
        self.lang, self.skip, self.text, self.headings, self.th, self.captions = lang, [], [], [], [], []
        self._caption = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip or tag in ("style", "script") or (tag != "html" and attrs.get("lang", self.lang) != self.lang):
            self.skip.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th.append(attrs)
        if tag in ("caption", "figcaption"):
            self._caption = []
        if tag in self.BLOCKS:
            self.text.append("\n")

    def handle_endtag(self, tag):
        if self.skip:
            self.skip.pop()
        if tag in ("caption", "figcaption") and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None
        if tag in self.BLOCKS:
            self.text.append("\n")

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if not self.skip:
            self.text.append(data)


def _html(path, lang):
    parser = _HTML(lang)
    parser.feed(path.read_text("utf-8"))
    return parser


def _pdf_pages(path):
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _pdf_body(path) -> str:
    """The text of a PDF without its running header and footer (so that a passage broken across
    a page reads as one)."""
    lines = []
    for page in _pdf_pages(path):
        for line in page.splitlines():
            if " · data " in line or line.startswith(("Technická zpráva", "Technical report", "Souhrn pro",
                                                      "Policy brief")):
                continue
            lines.append(line)
    return "\n".join(lines)


def _docx_text(path, lang):
    """The paragraphs of a DOCX, runs marked as another language left out (``lang="any"``: all)."""
    document = docx.Document(path)
    lines = []
    for paragraph in document.element.body.iter(W + "p"):
        parts = []
        for run in paragraph.iter(W + "r"):
            marked = run.find(f"{W}rPr/{W}lang")
            if lang != "any" and marked is not None and marked.get(W + "val") != lang:
                continue
            parts += [t.text or "" for t in run.iter(W + "t")]
        lines.append("".join(parts))
    return "\n".join(lines)


def _markdown_marked(lang):
    """Passages the reports quote in the other language (glossary terms, cited titles)."""
    from evaluation.reporting.glossary import load_glossary

    quoted = [e.other for e in load_glossary(lang) if e.other]
    quoted += [m for e in load_glossary(lang) for m in marked_passages(e.text + e.footnote, lang)]
    quoted += [b.source[lang] for b in load_benchmarks().items if b.source["cs"] == b.source["en"]]
    return quoted


def _names():
    """Proper names: municipalities, the evaluator given, the authors of the cited studies."""
    names = list(MUNICIPALITIES) + ["Institut pro hodnocení sociálních politik", "Jana Nováková", "Petr Svoboda",
                                    "Ministerstvo práce a sociálních věcí"]
    for b in load_benchmarks().items:
        names += re.findall(r"[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ][\w’'-]+", b.source["en"])
    return names


# --------------------------------------------------------------------------- structure

def test_html_has_one_h1_and_no_jump_in_heading_levels(reports):
    for name in ("technical_cs.html", "technical_en.html", "brief_cs.html", "brief_en.html"):
        headings = _html(reports[name], name[-7:-5]).headings
        assert headings.count(1) == 1 and headings[0] == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(headings)), (name, headings)


def test_html_header_cells_have_scope_and_quoted_passages_their_language(reports):
    html = " ".join(reports["technical_cs.html"].read_text("utf-8").split())
    parser = _html(reports["technical_cs.html"], "cs")
    assert parser.th and all(attrs.get("scope") == "col" for attrs in parser.th)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="cs"' in html
    assert '<span lang="en">wild cluster bootstrap</span>' in html  # the glossary's English term
    assert re.search(r'<span lang="en">Tsemberis, S\.', html)  # a cited English title
    english = " ".join(reports["technical_en.html"].read_text("utf-8").split())
    assert '<span lang="cs">kontaktní místo pro bydlení</span>' in english
    assert '<nav id="TOC" role="doc-toc">' in html and "Obsah" in html


def test_html_prints_on_a4_and_keeps_captions_with_their_tables(reports):
    css = reports["brief_cs.html"].read_text("utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)
    assert re.search(r"caption\s*\{[^}]*break-after:\s*avoid", css)
    assert re.search(r"thead\s*\{[^}]*table-header-group", css)


def test_pdf_is_a4_with_contents_and_no_caption_alone_at_a_page_foot(reports):
    for name in ("technical_cs.pdf", "technical_en.pdf", "brief_cs.pdf"):
        reader = pypdf.PdfReader(reports[name])
        assert all(round(float(p.mediabox.width)) == 595 and round(float(p.mediabox.height)) == 842
                   for p in reader.pages), name
        for number, text in enumerate(_pdf_pages(reports[name]), start=1):
            lines = [line for line in text.splitlines() if line.strip()]
            body = [line for line in lines if "evaluation 0.1" not in line]  # the footer
            assert body and not re.match(r"(Tabulka|Table) \d+:", body[-1]), (name, number, body[-1])
    first = _pdf_pages(reports["technical_cs.pdf"])[0]
    assert "Obsah" in first and "Shrnutí" in first and "Slovník pojmů a zkratek" in first
    assert "Contents" in _pdf_pages(reports["technical_en.pdf"])[0]
    assert len(pypdf.PdfReader(reports["brief_cs.pdf"]).pages) <= 4


def test_docx_is_a4_with_margins_footer_page_numbers_and_headings_without_jumps(reports):
    for name in ("technical_cs.docx", "brief_en.docx"):
        document = docx.Document(reports[name])
        section = document.sections[0]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        assert round(section.left_margin.cm, 1) == round(section.right_margin.cm, 1) == 2.0
        with zipfile.ZipFile(reports[name]) as z:
            footer = z.read("word/footer1.xml").decode("utf-8").replace("\u00a0", " ")
        assert "evaluation 0.1.0 · data 0123456789ab · 23. 11. 2026" in footer or \
            "evaluation 0.1.0 · data 0123456789ab · 23 November 2026" in footer
        assert "PAGE" in footer and "NUMPAGES" in footer
        styles = [p.style.name for p in document.paragraphs]
        levels = [0] + [int(s.split()[-1]) for s in styles if re.fullmatch(r"Heading \d", s)]
        assert styles[0] == "Title" and levels[1] == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, levels)


def test_docx_contents_list_is_filled_before_word_updates_it(reports):
    document = docx.Document(reports["technical_cs.docx"])
    xml = document.element.xml
    entries = ["".join(t.text or "" for t in p.iter(W + "t")) for p in document.element.body.iter(W + "p")
               if (style := p.find(f"{W}pPr/{W}pStyle")) is not None and style.get(W + "val") in ("TOC1", "TOC2")]
    assert entries[:3] == ["Údaje o zprávě", "1 Shrnutí", "2 Hodnocený program"]
    assert "2.1 Plán pilotu" in entries and any(e.endswith("Slovník pojmů a zkratek") for e in entries)
    assert re.search(r"TOC \\o", xml) and 'w:fldCharType="end"' in xml


def test_docx_columns_are_wide_enough_for_their_numbers_and_words(reports):
    """Word scales the columns of a full-width table to the 17 cm of text (9,638 twips); at 9 pt
    Calibri a digit is about 91 twips wide, a letter about 82, and a cell has 216 twips of padding."""
    document = docx.Document(reports["technical_cs.docx"])
    for number, table in enumerate(document.tables):
        grid = [int(c.get(W + "w")) for c in table._tbl.tblGrid.findall(W + "gridCol")]
        width = table._tbl.tblPr.find(W + "tblW")
        if width is None or width.get(W + "type") != "pct":
            continue  # a small table: Word fits it to its content
        scale = 9638 * int(width.get(W + "w")) / 5000 / sum(grid)
        for column, cells in enumerate(zip(*[[c.text for c in row.cells] for row in table.rows])):
            need = 0
            for text in cells:
                if not re.search(r"[^\W\d_]", text.replace("Kč", "").replace("%", "")):
                    need = max(need, 91 * len(text) + 216)
                else:
                    need = max([need] + [82 * len(w) + 216 for w in re.split(r"[ /]|(?<=-)", text)])
            assert grid[column] * scale >= need, (number, column, cells[0], grid[column] * scale, need)


# --------------------------------------------------------------------------- numbering

def _numbered(captions, word):
    return [(int(m.group(1)), m.group(2).strip()) for c in captions for m in [re.match(rf"{word} (\d+): (.*)", c)] if m]


def test_tables_and_figures_have_the_same_numbers_in_every_format(reports):
    for lang, table, figure in (("cs", "Tabulka", "Obrázek"), ("en", "Table", "Figure")):
        html = _html(reports[f"technical_{lang}.html"], lang).captions
        document = docx.Document(reports[f"technical_{lang}.docx"])
        word = [p.text for p in document.paragraphs if p.style.name in ("Table Caption", "Image Caption")]
        pdf = " ".join(" ".join(_pdf_pages(reports[f"technical_{lang}.pdf"])).split())
        for kind in (table, figure):
            in_html, in_word = _numbered(html, kind), _numbered(word, kind)
            assert [n for n, _ in in_html] == list(range(1, len(in_html) + 1)) and len(in_html) >= 3, (lang, kind)
            assert in_word == in_html, (lang, kind)
            for n, title in in_html:
                assert f"{kind} {n}: {title[:25]}" in pdf, (lang, kind, n, title)


# --------------------------------------------------------------------------- language

@pytest.mark.parametrize("lang", ["cs", "en"])
def test_no_sentence_of_the_other_language_in_any_format(reports, lang):
    quoted, names = _markdown_marked(lang), _names()
    for kind in ("technical", "brief"):
        texts = {"html": "".join(_html(reports[f"{kind}_{lang}.html"], lang).text),
                 "docx": _docx_text(reports[f"{kind}_{lang}.docx"], lang),
                 "pdf": without(_pdf_body(reports[f"{kind}_{lang}.pdf"]), quoted)}
        for fmt, text in texts.items():
            assert foreign_passages(text, lang, names=names) == [], (kind, fmt)
            if lang == "en":
                assert "„" not in text, (kind, fmt)


def test_one_minus_sign_everywhere(reports):
    for name, path in reports.items():
        if path.suffix == ".html":
            text = "".join(_html(path, name[-7:-5]).text)
        elif path.suffix == ".docx":
            text = _docx_text(path, name[-7:-5])
        else:
            text = "\n".join(_pdf_pages(path))
        assert not re.search(r"(?<![\w\-–/.:])-\d", text), (name, re.findall(r".{20}(?<![\w\-–/.:])-\d.{10}", text))
    assert "−5\u00a0836\u00a0Kč" in reports["brief_cs.html"].read_text("utf-8")
    assert "−5,836" in reports["brief_en.html"].read_text("utf-8")


# --------------------------------------------------------------------------- sections

def test_the_technical_report_has_the_sections_of_an_evaluation_report(reports):
    cs = " ".join(_docx_text(reports["technical_cs.docx"], "cs").split())
    for heading in ("Údaje o zprávě", "Shrnutí", "Hodnocený program", "Plán pilotu", "Logický model",
                    "Srovnání s dřívějšími zjištěními", "Omezení", "Autorství a nezávislost", "Původ výsledků",
                    "Slovník pojmů a zkratek", "Příloha A: Metodická příloha", "Poznámky výpočtů k tabulkám"):
        assert heading in cs, heading
    # authorship: what was given, and marked placeholders for the rest
    assert "Institut pro hodnocení sociálních politik, Praha" in cs and "Jana Nováková, Petr Svoboda" in cs
    assert "[DOPLNÍ ZPRACOVATEL: zda se zpracovatel nebo autoři podíleli" in cs
    assert "Ministry of Labour" in " ".join(_docx_text(reports["technical_en.docx"], "en").split())
    # the comparison: this pilot beside the published figures, with sources
    assert "Tento pilot (Kaplan–Meier)" in cs and "Pathways to Housing, New York" in cs
    assert "Zdroj:" in cs and "Psychiatric Services, 51(4), 487–493" in " ".join(
        _docx_text(reports["technical_cs.docx"], "any").split())
    # the glossary explains the abbreviations the report uses; KMB at first use
    assert "kontaktní místo pro bydlení (KMB)" in cs and "divoký klastrový bootstrap" in cs
    with zipfile.ZipFile(reports["technical_cs.docx"]) as z:
        assert "Kontaktní místo pro bydlení (KMB): místo, kde obec radí" in z.read("word/footnotes.xml").decode()
    # the methods appendix and the computations' notes in Czech
    assert "Vyřazené řádky tabulky „Domácnosti“: 360" in cs and "S vnucenou nulovou hypotézou (WCR)" in cs
    # the logic model with the plan's and the results' numbers
    html = " ".join(reports["technical_cs.html"].read_text("utf-8").split())
    assert "Logický model pilotu: od vstupů k dopadům" in html
    assert "Nastěhované domácnosti: krizové 28 (plán 30), sociální 47 (plán 50)" in html


def test_each_finding_has_its_evidence_and_limitation_slots(reports):
    cs = " ".join(_docx_text(reports["technical_cs.docx"], "cs").split())
    assert "(Síla důkazů: střední (úplná evidence žádostí, bez srovnání))" in cs
    assert "Omezení: Evidence žádostí začíná rokem 2020." in cs
    assert "Omezení zjištění této části" in cs and "nebyla provedena: v datech tohoto rozsahu" in cs
    en = " ".join(_docx_text(reports["technical_en.docx"], "en").split())
    assert "(Strength of evidence: moderate" in en and "Limitations of these findings" in en


def test_czech_wording_reaches_the_report(reports):
    cs = " ".join(_docx_text(reports["technical_cs.docx"], "cs").split())
    assert "Ze 2 483 žádostí podaných na kontaktních místech před více než 90 dny" in cs
    assert "Ze 138 domácností" in cs and "Ze 498 domácností" in cs
    assert "divokým klastrovým bootstrapem" in cs and "wild cluster" not in cs
    assert "Divoký klastrový bootstrap: pilotní obce" in cs
    assert "Podíl žádostí bez rozhodnutí déle než 90 dní" in cs
