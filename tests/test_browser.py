"""Hostile text in the data stays text: the published pages, opened from disk in a real headless
Chromium, show it literally, run no script from it and send no request off the machine.

One pipeline run on the embedded real data plus new snapshots whose texts carry HTML and script:
the REFNIS list the register is built from (a municipality's and an arrondissement's name), the Provincies in Cijfers
exports that name that municipality, and the origin record of
a source (reference period and URLs, which the pages show under every indicator of that source).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from sources.snapshots import EMBEDDED_SNAPSHOTS, latest_snapshot, take_snapshot
from tests.browser import chromium, offline_page
from tests.conftest import installation, run_pipeline
from tests.test_bad_input import edited_refnis, renamed_in_exports

# a headless browser: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

GENK = "71016"
# Were any of these parsed as HTML, it would set window.__pwned, open a dialog, or load from another host.
# Plotly shows unknown tags as text anyway, but reads <a> as markup: that part checks the charts.
HOSTILE_NAME = ('Genk<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
                '<a href="javascript:window.__pwned=6">6</a>')
HOSTILE_ARRONDISSEMENT = ('Arrondissement Hasselt</p><script src="http://evil.example/x.js"></script>'
                          '<iframe src="https://evil.example/frame" onload="alert(1)"></iframe>')
HOSTILE_PERIOD = ('2012-2017 <svg onload="window.__pwned=3"></svg>'
                  '<link rel="stylesheet" href="http://evil.example/x.css">')
HOSTILE_URLS = ["http://evil.example/x.js", "javascript:window.__pwned=4",
                'https://evil.example/"><script>window.__pwned=5</script>']
# Both in the hostile arrondissement: the merged Hasselt of 2025, and Beringen, whose figures come
# from the source with the hostile origin record.
OTHER_PAGES = ["71072", "71004"]

# Runs in the page: what it executed, shows and links to.
INSPECT = """() => ({
    pwned: typeof window.__pwned,
    title: document.title,
    h1: document.querySelector('h1').innerText,
    text: document.body.innerText,
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    scripts: [...document.scripts].filter(s => s.src).map(s => s.src),
    // elements the payloads would create if they were parsed as HTML
    injected: document.querySelectorAll('iframe, img[src="x"], link[href*="evil.example"], [onerror], [onload]').length,
    charts: [...document.querySelectorAll('.plotly-graph-div')].map(div => ({
        id: div.id,
        drawn: div.querySelectorAll('.main-svg path, .main-svg text').length,
        text: [...div.querySelectorAll('.main-svg text')].map(t => t.textContent).join('\\n')})),
})"""
CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
                        .every(div => div.querySelector('.main-svg'))"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The current release of one run whose register, Provincies in Cijfers exports and poverty_proxies origin
    carry hostile text."""
    work = tmp_path_factory.mktemp("hostile")
    snapshots = work / "snapshots"
    shutil.copytree(EMBEDDED_SNAPSHOTS, snapshots)
    edited_refnis(snapshots, {GENK: HOSTILE_NAME, "71000": HOSTILE_ARRONDISSEMENT}, work)
    # the exports that name municipalities carry the same name, or they would not match the register
    renamed_in_exports(snapshots, "Genk", HOSTILE_NAME, work)
    proxies = latest_snapshot([snapshots], "poverty_proxies")
    take_snapshot(snapshots, "poverty_proxies", proxies.path,
                  {k: v for k, v in proxies.origin.items() if k not in ("sha256", "bytes")}
                  | {"reference_period": HOSTILE_PERIOD, "urls": HOSTILE_URLS})
    outcome = run_pipeline(installation(work).but(snapshots=snapshots))
    assert outcome.success, outcome.problems
    return (work / "output" / "current").resolve()


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def visit(browser, page_file: Path, screenshot: Path | None = None) -> dict:
    """Load a page from disk, wait for its charts, and report what it did and shows."""
    with offline_page(browser) as (page, watch):
        page.goto(page_file.as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
            print(f"screenshot: {screenshot}")
        return page.evaluate(INSPECT) | {"problems": watch.problems()}


def local_path(url: str) -> Path | None:
    """The file a file: link points to (without its #fragment); None for a web link."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def assert_safe(seen: dict, site: Path) -> None:
    """No request off the machine, no script or dialog from the data, no error; charts drawn, links intact."""
    assert seen["problems"] == {}, seen["problems"]
    assert seen["pwned"] == "undefined"
    assert seen["injected"] == 0
    assert seen["scripts"] == [(site / "assets" / "plotly.min.js").as_uri()]
    assert [link for link in seen["links"] if not link.startswith(("file:", "http://", "https://"))] == []
    assert [path for path in map(local_path, seen["links"]) if path and not path.is_file()] == []
    assert seen["charts"] and all(chart["drawn"] for chart in seen["charts"]), seen["charts"]


def test_the_published_files_carry_the_hostile_text_escaped(site):
    # Guards the browser tests: they would prove nothing if the payloads were lost on the way.
    genk = (site / "gemeenten" / f"{GENK}.html").read_text(encoding="utf-8")
    assert "Genk&lt;script&gt;window.__pwned=1&lt;/script&gt;" in genk
    assert "Arrondissement Hasselt&lt;/p&gt;&lt;script src=" in genk
    assert "2012-2017 &lt;svg onload=" in genk


@pytest.mark.reliability("browser", "overview page with script and HTML in data",
                         "shown as text, no script ran, no request left the machine")
def test_overview_shows_hostile_text_as_text_and_stays_offline(browser, site, artifacts):
    seen = visit(browser, site / "index.html", artifacts / "overview.png")

    assert_safe(seen, site)
    assert HOSTILE_NAME in seen["text"]  # the list of municipalities and the ranking tables
    assert HOSTILE_PERIOD in seen["text"]  # the reference period under the source's indicators
    assert "kaart-figuur" in {chart["id"] for chart in seen["charts"]}
    # Plotly draws the escaped name in the ranking charts' axis labels as the literal text.
    assert any(HOSTILE_NAME in chart["text"] for chart in seen["charts"] if chart["id"].startswith("rangschikking-"))
    # A web address from the data stays a link nobody follows unasked, and one with a quote stays
    # one whole address instead of breaking out of its attribute (assert_safe: no javascript: link).
    assert "http://evil.example/x.js" in seen["links"]
    assert "https://evil.example/%22%3E%3Cscript%3Ewindow.__pwned=5%3C/script%3E" in seen["links"]


@pytest.mark.reliability("browser", "4 municipality pages with script and HTML in data",
                         "shown as text, no script ran, no request left the machine, downloads resolve")
def test_municipality_pages_show_hostile_text_as_text_and_stay_offline(browser, site, artifacts):
    seen = visit(browser, site / "gemeenten" / f"{GENK}.html", artifacts / "genk.png")

    assert_safe(seen, site)
    assert seen["h1"] == f"{HOSTILE_NAME} (NIS {GENK})"
    assert seen["title"].startswith(HOSTILE_NAME)
    assert HOSTILE_ARRONDISSEMENT in seen["text"]
    assert any(HOSTILE_NAME in chart["text"] for chart in seen["charts"])  # the trend charts' legend
    # assert_safe found every file: link, the downloads included, pointing to an existing file.
    downloads = [local_path(link) for link in seen["links"] if link.startswith("file:") and "/downloads/" in link]
    assert {path.name for path in downloads} == {f"{GENK}.csv", f"{GENK}.xlsx"}

    for nis_code in OTHER_PAGES:
        other = visit(browser, site / "gemeenten" / f"{nis_code}.html")
        assert_safe(other, site)
        assert other["h1"].endswith(f"(NIS {nis_code})")
        assert HOSTILE_ARRONDISSEMENT in other["text"]
