"""Downloads of publisher files into immutable snapshots.

A download is streamed into a hidden working folder next to the snapshots of its source and only
becomes a snapshot (through `take_snapshot`) once it is complete, within the size limit, checksummed
and recognisably of the expected format; whatever happens, the working folder is removed.
Hosts are limited to those of the catalogue, so a redirect or a mistyped URL cannot fetch
arbitrary content into the pipeline.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import requests

from sources.catalog import Catalog, Source, load_catalog
from sources.errors import SourceFileError
from sources.snapshots import Snapshot, take_snapshot

USER_AGENT = "armoedebarometer (open-source data pipeline; python-requests)"
CHUNK = 1 << 16
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
SAFE_NAME = re.compile(r"[\w\-. ()]+")
HTML_STARTS = (b"<!doctype html", b"<html")

Progress = Callable[[int, int | None], None]


class DownloadError(Exception):
    """A download that did not yield a usable file; nothing was written."""

    def __init__(self, source_id: str, url: str, reason: str):
        self.source_id, self.url, self.reason = source_id, url, reason
        super().__init__(f"download of source {source_id} from {url} failed: {reason}")


class _Transient(Exception):
    """A failure worth another attempt (network trouble, timeouts, 5xx, 429)."""


@dataclass(frozen=True)
class FetchResult:
    source_id: str
    status: Literal["new", "unchanged"]
    snapshot: Snapshot | None


@dataclass(frozen=True)
class _Body:
    """A completely received 200 response, already written to the target file."""
    sha256: str
    final_url: str
    headers: Mapping[str, str]


def catalogue_hosts(catalog: Catalog) -> frozenset[str]:
    return frozenset(urlsplit(s.url).hostname for s in catalog.sources.values() if s.url)


def fetch(source: Source, root: Path, *, previous: dict | None = None,
          allowed_hosts: frozenset[str] | None = None, timeout: float = 30.0, retries: int = 3,
          backoff: float = 1.0, max_bytes: int = 200 * 2**20, url: str | None = None,
          progress: Progress | None = None) -> FetchResult:
    """Fetch the publisher file of `source` and store it as a new snapshot under `root`.

    `previous` is the origin record of the newest snapshot of the source: its HTTP validators make
    the request conditional, and its checksum recognises a re-served identical file.
    """
    url = url or source.url
    if not url:
        raise DownloadError(source.id, "(none)", "the catalogue gives no URL for this source")
    hosts = catalogue_hosts(load_catalog()) if allowed_hosts is None else allowed_hosts
    problem = _url_problem(url, hosts)
    if problem:
        raise DownloadError(source.id, url, problem)
    base = root / source.id
    created = not base.exists()
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".download-", dir=base))
    try:
        target = work / _file_name(source, url)
        request = _Request(source.id, hosts, timeout, max_bytes, progress, _conditional_headers(previous))
        body = _with_retries(lambda: request.get(url, target), source.id, url, retries, backoff)
        if body is None or (previous and body.sha256 == previous.get("sha256")):
            return FetchResult(source.id, "unchanged", None)
        _sniff_download(source, url, target)
        obtained = dt.date.today()
        snapshot = take_snapshot(root, source.id, target, _origin(source, url, body, obtained), obtained)
        return FetchResult(source.id, "new", snapshot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if created and not any(base.iterdir()):
            base.rmdir()


def _url_problem(url: str, hosts: frozenset[str]) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not allowed (only http and https)"
    if parts.hostname not in hosts:
        return (f"host {parts.hostname!r} is not a host of the source catalogue "
                f"(allowed: {', '.join(sorted(hosts)) or 'none'})")
    return None


def _file_name(source: Source, url: str) -> str:
    """The publisher's own file name, unless it is unusable as a plain file name."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    if SAFE_NAME.fullmatch(name) and not name.startswith("."):
        return name
    return f"{source.id}.{source.format or 'bin'}"


def _conditional_headers(previous: dict | None) -> dict[str, str]:
    previous = previous or {}
    headers = {}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def _with_retries(attempt: Callable[[], _Body | None], source_id: str, url: str,
                  retries: int, backoff: float) -> _Body | None:
    for n in range(retries + 1):
        try:
            return attempt()
        except _Transient as exc:
            last = exc
            if n < retries:
                time.sleep(backoff * 2**n)
    raise DownloadError(source_id, url, f"{last} (gave up after {retries + 1} attempts)")


@dataclass(frozen=True)
class _Request:
    """One attempt at a download: redirects checked hop by hop, the body streamed to disk."""
    source_id: str
    hosts: frozenset[str]
    timeout: float
    max_bytes: int
    progress: Progress | None
    conditional: dict[str, str]

    def get(self, url: str, target: Path) -> _Body | None:
        """The received body, or None when the server says the previous file is still current."""
        with requests.Session() as session:
            # identity keeps Content-Length comparable with the bytes written
            session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **self.conditional})
            response = self._follow(session, url)
            with response:
                if response.status_code == 304:
                    return None
                self._check_status(response)
                sha256 = self._stream(response, target)
                return _Body(sha256, response.url, response.headers)

    def _follow(self, session: requests.Session, first: str) -> requests.Response:
        url = first
        for _ in range(MAX_REDIRECTS + 1):
            response = self._open(session, url)
            if response.status_code not in REDIRECTS or "Location" not in response.headers:
                return response
            response.close()
            url = urljoin(url, response.headers["Location"])
            problem = _url_problem(url, self.hosts)
            if problem:
                raise DownloadError(self.source_id, first, f"redirected to {url}, refused: {problem}")
        raise DownloadError(self.source_id, first, f"more than {MAX_REDIRECTS} redirects")

    def _open(self, session: requests.Session, url: str) -> requests.Response:
        try:
            return session.get(url, timeout=self.timeout, stream=True, allow_redirects=False)
        except requests.Timeout as exc:
            raise _Transient(f"timed out after {self.timeout} s waiting for {url}") from exc
        except requests.ConnectionError as exc:
            raise _Transient(f"connection to {url} failed: {exc}") from exc
        except requests.RequestException as exc:
            raise DownloadError(self.source_id, url, str(exc)) from exc

    def _check_status(self, response: requests.Response) -> None:
        status = f"HTTP {response.status_code} {response.reason or ''}".strip()
        if response.status_code == 429 or response.status_code >= 500:
            raise _Transient(status)
        if response.status_code != 200:
            raise DownloadError(self.source_id, response.url, status)

    def _stream(self, response: requests.Response, target: Path) -> str:
        expected = _content_length(response)
        if expected is not None and expected > self.max_bytes:
            raise DownloadError(self.source_id, response.url,
                                f"too large: Content-Length {expected} bytes exceeds the limit of {self.max_bytes}")
        digest, written = hashlib.sha256(), 0
        with target.open("wb") as fh:
            try:
                for block in response.iter_content(CHUNK):
                    written += len(block)
                    if written > self.max_bytes:
                        raise DownloadError(self.source_id, response.url,
                                            f"too large: more than the limit of {self.max_bytes} bytes")
                    fh.write(block)
                    digest.update(block)
                    if self.progress:
                        self.progress(written, expected)
            except requests.RequestException as exc:
                # urllib3 drops the last partial read when it fails; the raw stream counts what arrived
                raise _Transient(_broken(response.raw.tell(), expected, exc)) from exc
        if expected is not None and written != expected:
            raise _Transient(_broken(written, expected, None))
        return digest.hexdigest()


def _content_length(response: requests.Response) -> int | None:
    """The announced body size, when it describes the bytes we will receive."""
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() and not encoded else None


def _broken(written: int, expected: int | None, exc: Exception | None) -> str:
    if expected is not None and written < expected:
        return f"truncated: got {written} of {expected} bytes"
    if expected is not None and written > expected:
        return f"got {written} bytes, more than the announced {expected}"
    return f"connection broken after {written} bytes: {exc}"


def _sniff_download(source: Source, url: str, path: Path) -> None:
    try:
        sniff(path, source.format)
    except SourceFileError as exc:
        raise DownloadError(source.id, url, exc.detail) from exc


def _origin(source: Source, url: str, body: _Body, obtained: dt.date) -> dict:
    urls = [url] if body.final_url == url else [url, body.final_url]
    return {"title": source.title, "publisher": source.publisher, "dataset": source.dataset,
            "licence": source.licence, "urls": urls, "url": url,
            "etag": body.headers.get("ETag"), "last_modified": body.headers.get("Last-Modified"),
            "content_type": body.headers.get("Content-Type"), "http_status": 200,
            "reference_period": f"zoals gepubliceerd op {obtained.isoformat()}",
            "obtained_from": "download"}


def sniff(path: Path, expected_format: str | None) -> None:
    """Reject a file whose bytes do not fit `expected_format` (an HTML error page above all)."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(HTML_STARTS):
        raise SourceFileError(path, "content-type", f"this is an HTML page (an error page?), not {expected_format}")
    check = _FORMAT_CHECKS.get(expected_format)
    problem = check(path) if check else None
    if problem:
        raise SourceFileError(path, "content-type", f"not a valid {expected_format} file: {problem}")


def _zip_names(path: Path) -> list[str] | str:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except zipfile.BadZipFile as exc:
        return f"not a zip archive ({exc})"


def _xlsx_problem(path: Path) -> str | None:
    names = _zip_names(path)
    if isinstance(names, str):
        return names
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return "a zip archive without the [Content_Types].xml and xl/ parts of a workbook"
    return None


# the first bytes of an OLE2 compound file, the container of an Excel 97-2003 workbook (.xls)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xls_problem(path: Path) -> str | None:
    with path.open("rb") as fh:
        return None if fh.read(len(OLE2_MAGIC)) == OLE2_MAGIC else "not an Excel 97-2003 workbook (no OLE2 header)"


def _zip_problem(path: Path) -> str | None:
    names = _zip_names(path)
    return names if isinstance(names, str) else None


def _decodes(path: Path, encoding: str) -> bool:
    """True when the whole file is text in `encoding`; a NUL byte marks binary content."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                if "\x00" in decoder.decode(block):
                    return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_problem(path: Path) -> str | None:
    if _decodes(path, "utf-8-sig") or _decodes(path, "cp1252"):
        return None
    return "not text in UTF-8 or Windows-1252"


def _json_problem(path: Path, *, geojson: bool = False) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except ValueError as exc:
        return f"does not parse as JSON ({exc})"
    if geojson and not (isinstance(data, dict) and "type" in data):
        return "a JSON document without the 'type' member of GeoJSON"
    return None


_FORMAT_CHECKS: dict[str, Callable[[Path], str | None]] = {
    "xlsx": _xlsx_problem, "xls": _xls_problem, "zip": _zip_problem, "csv": _csv_problem,
    "json": _json_problem, "geojson": partial(_json_problem, geojson=True),
}
