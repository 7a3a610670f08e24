"""The published reports in a real headless Chromium, opened from disk with every request off the
machine blocked and counted: the overview with its indicator selector and map, several municipality
reports (on screen and as printed on A4), the method page, and the downloads they link to.

One pipeline run on the embedded real data serves every test. Full-page screenshots go to the test's
artifacts folder; with UPDATE_SCREENSHOTS=1 the README's screenshots in docs/screenshots/ are renewed.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest

from tests.browser import chromium, offline_page

# a headless browser: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "screenshots"
GENK, HERSTAPPE = "71016", "73028"
# a large town, the smallest municipality, a 2025 merger, the composite's top rank, a small one in the north
PAGES = [GENK, HERSTAPPE, "71072", "73107", "72003"]
PAGE_LIMIT = 150_000
PRINT_WIDTH = 680  # A4 minus 15 mm margins in CSS pixels, as in the page's print handler

CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
                        .every(div => div.querySelector('.main-svg'))"""
# Runs in the page: the charts that show and how many marks each drew, the links, and the map's fills.
INSPECT = """() => ({
    lang: document.documentElement.lang,
    headings: [...document.querySelectorAll('h2')].map(h => h.innerText),
    text: document.body.innerText,
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    visible: [...document.querySelectorAll('.plotly-graph-div')].filter(d => d.offsetParent).map(d => ({
        id: d.id, marks: d.querySelectorAll('.main-svg path, .main-svg .point, .main-svg text').length,
        width: d.getBoundingClientRect().width})),
    panels: [...document.querySelectorAll('.panel')].filter(p => !p.hidden).map(p => p.id),
})"""
MAP_FILLS = """() => [...document.querySelectorAll('#kaart-figuur .scatterlayer .trace .js-fill')]
                     .map(path => getComputedStyle(path).fill)"""
MAP_STATE = """() => { const map = document.getElementById('kaart-figuur');
    const menu = map.layout.updatemenus[0];
    return {active: menu.buttons[menu.active].name,
            matches: JSON.stringify(map.data.slice(0, -1).map(t => t.fillcolor))
                     === JSON.stringify(menu.buttons[menu.active].args[0].fillcolor)}; }"""


@pytest.fixture(scope="module")
def site(published) -> Path:
    """The release of the session's run on the embedded data (the pages are only read here)."""
    return (published / "current").resolve()


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def tab(site, browser):
    """One tab for the visits on screen: the browser then compiles plotly.js once, not on every page.
    (`site` first: the pipeline runs before Playwright starts its event loop.)"""
    with offline_page(browser) as tab:
        yield tab


@pytest.fixture
def visit(site, tab):
    """Open a page of the site in the shared tab, with a fresh record of what it did."""
    page, watch = tab
    for found in vars(watch).values():
        found.clear()

    def go(relative: str):
        page.goto((site / relative).as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        return page, watch

    return go


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def screenshot(page, artifacts: Path, name: str) -> None:
    """A full-page screenshot as a test artifact; the top of the page for the README on request."""
    page.screenshot(path=artifacts / name, full_page=True)
    print(f"screenshot: {artifacts / name}")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS / name, full_page=True,
                        clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": 2000})


def local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def assert_clean(seen: dict, problems: dict) -> None:
    """No request off the machine, no failed local file, no error; every link to a file resolves."""
    assert problems == {}, problems
    assert seen["lang"] == "nl"
    assert [path for path in map(local_path, seen["links"]) if path and not path.is_file()] == []
    assert seen["visible"] and all(chart["marks"] > 0 for chart in seen["visible"]), seen["visible"]


def test_overview_switches_map_and_panel_together_from_mouse_or_keyboard_and_stays_offline(visit, artifacts):
    page, watch = visit("index.html")
    seen = page.evaluate(INSPECT)
    assert_clean(seen, watch.problems())
    options = page.eval_on_selector_all("#indicator-keuze option", "options => options.map(o => o.value)")
    assert options[0] == "armoedesynthese" and len(options) >= 10
    assert seen["panels"] == ["armoedesynthese"]
    assert {c["id"] for c in seen["visible"]} == {"kaart-figuur", "spreiding-armoedesynthese",
                                                  "rangschikking-armoedesynthese"}
    assert len(page.evaluate(MAP_FILLS)) == 38
    screenshot(page, artifacts, "overview.png")

    # the keyboard: the first Tab reaches the skip link, the arrow keys change the native selector
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#inhoud"
    page.focus("#indicator-keuze")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(INSPECT)["panels"] == [options[1]]

    fills = page.evaluate(MAP_FILLS)
    for key in options[2:] + options[:1]:
        page.select_option("#indicator-keuze", key)
        shown = page.evaluate(INSPECT)
        assert shown["panels"] == [key]
        # the panel's distribution and ranking and the map, each drawn with marks
        assert {c["id"] for c in shown["visible"]} == {"kaart-figuur", f"spreiding-{key}", f"rangschikking-{key}"}
        assert all(chart["marks"] > 0 for chart in shown["visible"]), shown["visible"]
        assert page.evaluate(MAP_STATE) == {"active": key, "matches": True}
        now = page.evaluate(MAP_FILLS)
        assert now != fills, f"the map did not change for {key}"
        fills = now

    # a link to an indicator (as from a municipality page) opens its panel
    page.evaluate("location.hash = '#werkloosheidsgraad_rva'")
    page.wait_for_function("() => !document.getElementById('werkloosheidsgraad_rva').hidden")
    assert page.evaluate(INSPECT)["panels"] == ["werkloosheidsgraad_rva"]
    assert watch.problems() == {}


@pytest.mark.parametrize("nis_code", PAGES)
def test_municipality_report_puts_key_figures_first_and_links_its_own_downloads(visit, site, artifacts, nis_code):
    assert (site / "gemeenten" / f"{nis_code}.html").stat().st_size <= PAGE_LIMIT
    page, watch = visit(f"gemeenten/{nis_code}.html")
    seen = page.evaluate(INSPECT)
    assert_clean(seen, watch.problems())
    # Genk's example profile puts its targets and its own set first
    first = ["Doelstellingen", "Eigen barometer"] if nis_code == GENK else []
    assert seen["headings"][:len(first) + 2] == [*first, "Kerncijfers", "Alle indicatoren"]
    own = [path for path in map(local_path, seen["links"]) if path and "/downloads/gemeenten/" in str(path)]
    assert {path.name for path in own} == {f"{nis_code}.csv", f"{nis_code}.xlsx"}
    assert "Sinds begin bestuursperiode 2019–2024" in seen["text"]
    assert re.search(r"(Hoger|Lager) dan het gemiddelde van Limburg \(.+\)", seen["text"])
    if nis_code == GENK:
        screenshot(page, artifacts, "gemeente.png")
    if nis_code == HERSTAPPE:
        # 4 unemployed in Census 2021: the rate stays, flagged; with values for 4 of the 5 indicators of the
        # composite (no OKI), Herstappe has a score, and its rank range beside it
        assert "onbetrouwbaar (klein aantal)" in seen["text"]
        assert re.search(r"rang \d+ van 38, bij andere wegingen rang \d+ tot \d+", seen["text"])


TARGETS_SHOWN = """() => [...document.querySelectorAll('article.target')].map(article => {
    const chart = article.querySelector('.plotly-graph-div');
    const heading = article.querySelector('h3').getBoundingClientRect();
    return {id: article.id, title: article.querySelector('h3').innerText,
            status: article.querySelector('.status').innerText,
            marks: chart ? chart.querySelectorAll('.main-svg .point, .main-svg path').length : 0,
            below_heading: chart ? chart.getBoundingClientRect().top >= heading.bottom : false};
})"""


def test_genks_targets_are_drawn_each_in_its_own_section_with_the_status_in_words(visit, artifacts):
    page, watch = visit(f"gemeenten/{GENK}.html")
    assert_clean(page.evaluate(INSPECT), watch.problems())
    targets = page.evaluate(TARGETS_SHOWN)
    assert [t["id"] for t in targets] == ["doel-werkzoekenden_rva_per_1000", "doel-werkloosheidsgraad_rva",
                                          "doel-vdab_werkzoekendengraad"]
    assert [t["status"].split(":")[0] for t in targets] == ["Binnen de ruis", "Niet op koers", "Onvoldoende gegevens"]
    assert all(t["marks"] > 0 and t["below_heading"] for t in targets), targets
    assert "Voorbeeld." in page.inner_text("p.example")
    page.locator("#doelstellingen").screenshot(path=artifacts / "doelstellingen-genk.png")
    # the province page names Genk's targets, each linking to its section
    page.goto((page.url.rsplit("/gemeenten/", 1)[0] + "/doelstellingen.html"))
    rows = page.eval_on_selector_all("#doelstellingen-tabel tbody tr", """rows => rows.map(r => ({
        cells: [...r.cells].map(c => c.innerText), link: r.querySelector('a').href}))""")
    assert [r["cells"][2] for r in rows] == ["niet op koers", "binnen de ruis", "onvoldoende gegevens"]
    assert all(r["cells"][0].startswith("Genk") and "#doel-" in r["link"] for r in rows)
    assert "1 van 38 gemeenten" in page.inner_text("main")
    page.goto(rows[0]["link"])
    assert page.evaluate("document.querySelector(':target').id") == "doel-werkloosheidsgraad_rva"
    screenshot(page, artifacts, "doelstellingen.png")
    assert watch.problems() == {}


def test_a_rate_on_a_small_count_is_downloaded_without_its_counts(site):
    herstappe = rows(site / "downloads" / "gemeenten" / f"{HERSTAPPE}.csv")
    [census] = [r for r in herstappe if r["indicator_id"] == "werkloosheidsgraad_census2021"]
    assert census["value"] and census["numerator"] == census["denominator"] == ""
    assert census["flag"] == "unreliable"


def test_municipality_report_prints_on_a4(browser, site, artifacts):
    with offline_page(browser) as (page, watch):
        page.goto((site / "gemeenten" / f"{GENK}.html").as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        page.pdf(path=artifacts / "gemeente.pdf", format="A4")
        # what the printer lays out: the print style sheet at the width of the paper, the page's print handler run
        page.set_viewport_size({"width": PRINT_WIDTH, "height": 960})
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        hidden = page.evaluate("""() => ['.toc', 'header.site nav', 'details', '.skip']
            .map(s => getComputedStyle(document.querySelector(s)).display)""")
        assert set(hidden) == {"none"}, hidden
        assert page.evaluate("document.documentElement.scrollWidth") <= PRINT_WIDTH
        widths = [chart["width"] for chart in page.evaluate(INSPECT)["visible"]]
        assert widths and max(widths) <= PRINT_WIDTH
        assert watch.problems() == {}
    assert (artifacts / "gemeente.pdf").read_bytes().startswith(b"%PDF")


def test_method_page_explains_the_composite_and_every_indicator(visit, site):
    page, watch = visit("methode.html")
    seen = page.evaluate(INSPECT)
    assert watch.problems() == {}
    assert [path for path in map(local_path, seen["links"]) if path and not path.is_file()] == []
    assert seen["headings"] == ["Armoedesynthese", "Kleine aantallen", "Bestuursperiodes", "Doelstellingen en voortgang",
                                "Vlaggen", "Indicatoren"]
    indicators = rows(site / "downloads" / "indicators.csv")
    ids = page.eval_on_selector_all("article.indicator", "articles => articles.map(a => a.id)")
    assert ids == [row["indicator_id"] for row in indicators]
    assert "minstens 75 %" in seen["text"]
    assert re.search(r"Aantallen als waarde: [^.]*Standplaatsen op residentiële woonwagenterreinen", seen["text"])


def test_downloads_keep_a_decimal_point_in_csv_and_real_numbers_in_xlsx(site):
    synthesis = rows(site / "downloads" / "armoedesynthese.csv")
    assert len(synthesis) == 38 and all(r["score"] == "" or "," not in r["score"] for r in synthesis)
    ranked = [r for r in synthesis if r["rank"]]
    assert all(int(r["rank_min"]) <= int(r["rank"]) <= int(r["rank_max"]) for r in ranked)
    sheet = openpyxl.load_workbook(site / "downloads" / "barometer.xlsx", read_only=True)["Barometer"]
    header, *body = sheet.iter_rows(values_only=True)
    value = header.index("Waarde")
    assert {type(r[value]) for r in body if r[value] is not None} <= {int, float}
    dictionary = rows(site / "downloads" / "data_dictionary.csv")
    assert any("punt als decimaalteken" in r["omschrijving"] for r in dictionary)
    assert {r["bestand"] for r in dictionary} >= {"armoedesynthese.csv", "armoedesynthese_componenten.csv"}


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
