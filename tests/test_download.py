"""Downloads against a real HTTP server on 127.0.0.1 that serves synthetic publisher files."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from sources.catalog import load_catalog
from sources.download import DownloadError, catalogue_hosts, fetch, sniff
from sources.errors import SourceFileError
from sources.snapshots import versions
from tests.http_server import PublisherServer, fail_first, redirect, serve, stall, status, truncated

LOCAL = frozenset({"127.0.0.1"})
FILE = "/GSM_Extract_AR_10.xlsx"
HTML_PAGE = b"\n<!DOCTYPE html><html><body><h1>404 - Bestand niet gevonden</h1></body></html>"


def synthetic_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("synthetic")
    sheet.write_row(0, 0, ["Gemeente", "Jaar", "Waarde (synthetic)"])
    sheet.write_row(1, 0, ["Synthetische gemeente", 2024, 12.5])
    workbook.close()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    return synthetic_xlsx()


@pytest.fixture
def server():
    publisher = PublisherServer().start()
    yield publisher
    publisher.stop()


@pytest.fixture
def source():
    return load_catalog().source("gsm_ar_10")


def download(server, source, root, path=FILE, **options):
    settings = {"allowed_hosts": LOCAL, "timeout": 0.5, "retries": 2, "backoff": 0.01, **options}
    return fetch(source, root, url=server.url(path), **settings)


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def fails(server, source, root, path, match, **options) -> DownloadError:
    """The download fails with `match` in its message and leaves the root as it was."""
    before = tree(root)
    with pytest.raises(DownloadError, match=match) as caught:
        download(server, source, root, path, **options)
    assert tree(root) == before
    assert source.id in str(caught.value) and server.url(path) in str(caught.value)
    return caught.value


def test_download_becomes_a_snapshot_with_its_origin(server, source, tmp_path, xlsx):
    stamp = "Tue, 03 Mar 2026 10:00:00 GMT"
    server.routes[FILE] = serve(xlsx, etag='"v1"', last_modified=stamp)
    seen = []
    result = download(server, source, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert result.status == "new"
    snap = result.snapshot
    today = dt.date.today().isoformat()
    assert snap.folder == tmp_path / source.id / today
    assert snap.path.name == "GSM_Extract_AR_10.xlsx" and snap.path.read_bytes() == xlsx
    origin = json.loads((snap.folder / "origin.json").read_text(encoding="utf-8"))
    assert origin == snap.origin
    assert origin["url"] == server.url(FILE) and origin["urls"] == [server.url(FILE)]
    assert (origin["etag"], origin["last_modified"]) == ('"v1"', stamp)
    assert origin["sha256"] == hashlib.sha256(xlsx).hexdigest() and origin["bytes"] == len(xlsx)
    assert origin["date_obtained"] == today and origin["reference_period"] == f"zoals gepubliceerd op {today}"
    assert (origin["obtained_from"], origin["http_status"], origin["title"]) == ("download", 200, source.title)
    assert seen[-1] == (len(xlsx), len(xlsx))
    assert "armoedebarometer" in server.headers[FILE][0]["User-Agent"]
    assert tree(tmp_path) == [source.id, f"{source.id}/{today}", f"{source.id}/{today}/GSM_Extract_AR_10.xlsx",
                              f"{source.id}/{today}/origin.json"]


def test_unchanged_file_is_not_fetched_again(server, source, tmp_path, xlsx):
    server.routes[FILE] = serve(xlsx, etag='"v1"')
    first = download(server, source, tmp_path).snapshot
    again = download(server, source, tmp_path, previous=first.origin)
    assert again.status == "unchanged" and again.snapshot is None
    assert server.headers[FILE][-1]["If-None-Match"] == '"v1"'
    assert versions(tmp_path, source.id) == [first.folder]


def test_same_bytes_without_validators_make_no_new_snapshot(server, source, tmp_path, xlsx):
    server.routes[FILE] = serve(xlsx)
    first = download(server, source, tmp_path).snapshot
    assert download(server, source, tmp_path, previous=first.origin).status == "unchanged"
    assert versions(tmp_path, source.id) == [first.folder]


def test_changed_file_becomes_a_second_snapshot(server, source, tmp_path, xlsx):
    server.routes[FILE] = serve(xlsx, etag='"v1"')
    first = download(server, source, tmp_path).snapshot
    server.routes[FILE] = serve(_with_extra_part(xlsx), etag='"v2"')
    second = download(server, source, tmp_path, previous=first.origin)
    assert second.status == "new" and second.snapshot.origin["etag"] == '"v2"'
    assert [p.name for p in versions(tmp_path, source.id)] == [first.folder.name, f"{first.folder.name}.2"]


def _with_extra_part(workbook: bytes) -> bytes:
    """A different but still valid workbook: the same parts plus one synthetic part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as original, zipfile.ZipFile(buffer, "w") as changed:
        for name in original.namelist():
            changed.writestr(name, original.read(name))
        changed.writestr("docProps/synthetic.txt", "synthetic")
    return buffer.getvalue()


@pytest.mark.parametrize("code", [500, 503, 429])
def test_transient_failure_is_retried(server, source, tmp_path, xlsx, code):
    server.routes[FILE] = fail_first(1, serve(xlsx), code=code)
    assert download(server, source, tmp_path).status == "new"
    assert server.hits[FILE] == 2


def test_persistent_server_error_gives_up_after_bounded_retries(server, source, tmp_path):
    server.routes[FILE] = status(502)
    fails(server, source, tmp_path, FILE, r"HTTP 502 .*gave up after 3 attempts")
    assert server.hits[FILE] == 3


def test_timeout(server, source, tmp_path, xlsx):
    server.routes[FILE] = stall(1.5, serve(xlsx))
    started = time.monotonic()
    fails(server, source, tmp_path, FILE, "timed out after 0.3 s", timeout=0.3, retries=1)
    assert server.hits[FILE] == 2 and time.monotonic() - started < 1.5


def test_truncated_body(server, source, tmp_path, xlsx):
    server.routes[FILE] = truncated(xlsx[:100], announced=len(xlsx))
    fails(server, source, tmp_path, FILE, f"truncated: got 100 of {len(xlsx)} bytes")


def test_html_error_page_named_xlsx_is_rejected(server, source, tmp_path):
    path = "/GSM_Extract_AR_03.xlsx"
    server.routes[path] = serve(HTML_PAGE, content_type="text/html")
    error = fails(server, source, tmp_path, path, "HTML page")
    assert isinstance(error.__cause__, SourceFileError) and error.__cause__.rule == "content-type"


def test_non_workbook_served_as_xlsx_is_rejected(server, source, tmp_path):
    server.routes[FILE] = serve(b"Gemeente;Waarde\nSynthetisch;1\n")
    fails(server, source, tmp_path, FILE, "not a valid xlsx file")


def test_announced_size_above_the_limit_is_refused_without_reading(server, source, tmp_path, xlsx):
    server.routes[FILE] = serve(xlsx)
    fails(server, source, tmp_path, FILE, "too large: Content-Length", max_bytes=len(xlsx) - 1)
    assert server.hits[FILE] == 1


def test_body_above_the_limit_is_cut_off_while_streaming(server, source, tmp_path, xlsx):
    server.routes[FILE] = serve(xlsx, content_length=False)
    fails(server, source, tmp_path, FILE, "too large: more than the limit", max_bytes=len(xlsx) - 1)


def test_redirect_to_another_host_is_refused(server, source, tmp_path):
    server.routes[FILE] = redirect("http://downloads.example.org/GSM_Extract_AR_10.xlsx")
    fails(server, source, tmp_path, FILE, "redirected to http://downloads.example.org/.*not a host of the source")


def test_redirect_on_the_same_host_is_followed(server, source, tmp_path, xlsx):
    server.routes[FILE] = redirect("/files/v2/GSM_Extract_AR_10.xlsx")
    server.routes["/files/v2/GSM_Extract_AR_10.xlsx"] = serve(xlsx)
    origin = download(server, source, tmp_path).snapshot.origin
    assert origin["urls"] == [server.url(FILE), server.url("/files/v2/GSM_Extract_AR_10.xlsx")]


def test_not_found_fails_at_once(server, source, tmp_path):
    fails(server, source, tmp_path, "/GSM_Extract_AR_99.xlsx", "HTTP 404")
    assert server.hits["/GSM_Extract_AR_99.xlsx"] == 1


def test_hosts_are_limited_to_the_catalogue(server, source, tmp_path):
    with pytest.raises(DownloadError, match="not a host of the source catalogue"):
        fetch(source, tmp_path, url=server.url(FILE))
    with pytest.raises(DownloadError, match="scheme 'file' is not allowed"):
        fetch(source, tmp_path, url="file:///etc/passwd", allowed_hosts=LOCAL)
    assert server.hits[FILE] == 0 and tree(tmp_path) == []
    assert "gsminfo.blob.core.windows.net" in catalogue_hosts(load_catalog())


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("synthetic.txt", "synthetic")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt, body", [
    ("zip", _zip_without_workbook()),
    ("csv", "\ufeffgemeente;waarde\nSynthetisch-Één;1\n".encode()),
    ("csv", "gemeente;waarde\nSynthetisch-Één;1\n".encode("cp1252")),
    ("json", b'{"synthetic": true}'),
    ("geojson", b'{"type": "FeatureCollection", "features": []}'),
])
def test_sniff_accepts_fitting_content(tmp_path, fmt, body):
    path = tmp_path / f"synthetic.{fmt}"
    path.write_bytes(body)
    sniff(path, fmt)


@pytest.mark.parametrize("fmt, body, match", [
    ("xlsx", _zip_without_workbook(), "without the \\[Content_Types\\].xml"),
    ("zip", b"PK synthetic but broken", "not a zip archive"),
    ("csv", b"\x00\x01\x02\x81\x8d synthetic binary", "not text"),
    ("json", b'{"synthetic": ', "does not parse as JSON"),
    ("geojson", b"[1, 2]", "GeoJSON"),
] + [(fmt, b"\xef\xbb\xbf  <html><body>synthetic error</body></html>", "HTML page")
     for fmt in ("xlsx", "zip", "csv", "json", "geojson")])
def test_sniff_rejects_content_that_does_not_fit(tmp_path, fmt, body, match):
    path = tmp_path / f"synthetic.{fmt}"
    path.write_bytes(body)
    with pytest.raises(SourceFileError, match=match) as caught:
        sniff(path, fmt)
    assert caught.value.rule == "content-type"
