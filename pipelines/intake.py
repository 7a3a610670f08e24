"""What the landing folder takes: a shared folder that many people write into, so nothing in it is trusted.

Only regular files with one link are read, and only once they have stopped changing; a symbolic link, a hard
link to a file elsewhere, a FIFO, a socket or a device is refused without being opened or followed (the entry
itself, never what it points to, is moved to rejected/); the lock and temporary files that office software
and browsers leave beside a file are left alone. A taken file is read through a descriptor opened without
following links, and copied before anything parses it, so that what is checked is what is snapshotted.
Used by the landing-folder sensor and by `barometer ingest`.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.settings import cannot_write

# Excel's owner file (~$name.xlsx), LibreOffice's lock (.~lock.name.xlsx#), partial downloads and copies
# (.part, .crdownload, .tmp), and hidden files (rsync's .name.XXXXXX, the folder's own bookkeeping)
TRANSIENT = re.compile(r"^(~\$.*|\..*|.*\.(part|crdownload|tmp))$", re.IGNORECASE)
KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
         (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class NotARegularFile(Exception):
    """An entry of the landing folder that is not a file of its own; the message says what it is."""


@dataclass
class Scan:
    """One look at the landing folder."""
    ready: list[Path] = field(default_factory=list)  # stable regular files, at most the cap
    refused: list[tuple[Path, str]] = field(default_factory=list)  # entries that are not a file of their own
    changing: list[str] = field(default_factory=list)  # still being written: left for a later look
    ignored: list[str] = field(default_factory=list)  # lock and temporary files
    later: list[str] = field(default_factory=list)  # ready, but over the cap of this look
    # what each file looked like (size, modification time in ns): kept between looks
    seen: dict[str, list[int]] = field(default_factory=dict)


def unwritable(landing: Path) -> str | None:
    """Why nothing can be taken from the landing folder: a file that cannot be filed away afterwards would be
    taken again at every look. None when a file can be written there."""
    refused = cannot_write(landing)
    if refused:
        return (f"the landing folder {landing} is not writable ({refused}): no file is taken until the "
                "barometer's account may write there (accepted/ and rejected/ are made in it)")
    return None


def refusal(path: Path) -> str | None:
    """Why `path` is not read, judged from the entry itself (lstat: a link is never followed); None for a
    regular file with a single link."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return f"{path.name}: it disappeared before it could be read"
    return _refusal(path.name, info)


def _refusal(name: str, info: os.stat_result) -> str | None:
    for test, kind in KINDS:
        if test(info.st_mode):
            return (f"{name} is {kind}, not a file: the landing folder reads only files of their own; it was not "
                    "opened or followed. Drop a copy of the file itself")
    if not stat.S_ISREG(info.st_mode):
        return f"{name} is not a regular file; it was not opened"
    if info.st_nlink > 1:
        return (f"{name} is a hard link ({info.st_nlink} names for one file): the landing folder reads only files of "
                "their own, so it was not opened. Drop a copy of the file itself")
    return None


def scan(landing: Path, seen: dict[str, list[int]], now_ns: int, stable_seconds: float, cap: int) -> Scan:
    """Sort the entries of `landing` (not its subfolders). A file is ready when its size and modification
    time are those of the previous look, or, at a first look, when it was last modified `stable_seconds` ago;
    `seen` is what the previous look recorded."""
    found = Scan()
    stable_ns = int(stable_seconds * 1e9)
    for entry in sorted(landing.iterdir(), key=lambda p: p.name):
        info = os.lstat(entry)
        if stat.S_ISDIR(info.st_mode):
            continue  # accepted/, rejected/ and folders someone made: never read
        if TRANSIENT.match(entry.name):
            found.ignored.append(entry.name)
            continue
        reason = _refusal(entry.name, info)
        if reason:
            found.refused.append((entry, reason))
            continue
        shape = [info.st_size, info.st_mtime_ns]
        found.seen[entry.name] = shape
        settled = now_ns - info.st_mtime_ns >= stable_ns and seen.get(entry.name, shape) == shape
        if not settled:
            found.changing.append(entry.name)
        elif len(found.ready) < cap:
            found.ready.append(entry)
        else:
            found.later.append(entry.name)
    return found


def settle(path: Path, stable_seconds: float, patience: float = 10, clock=time.monotonic, sleep=time.sleep) -> bool:
    """Wait until the file at `path` has been unchanged for `stable_seconds` (for `barometer ingest`, which
    is given one file); False if it is still changing after `patience` times that."""
    deadline = clock() + patience * max(stable_seconds, 1)
    last = None
    while clock() <= deadline:
        info = os.lstat(path)
        shape = (info.st_size, info.st_mtime_ns)
        if shape == last and time.time_ns() - info.st_mtime_ns >= stable_seconds * 1e9:
            return True
        last = shape
        sleep(min(1.0, max(stable_seconds, 0.05)))
    return False


@contextmanager
def taken(path: Path) -> Iterator[Path]:
    """A private copy of the file at `path`, read through a descriptor that does not follow a link and does
    not wait on a FIFO; raises NotARegularFile if the entry changed into something else since it was judged."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:  # ELOOP: the name is a symbolic link now
        raise NotARegularFile(refusal(path) or f"{path.name} cannot be opened ({err.strerror})") from None
    with os.fdopen(descriptor, "rb") as source:
        reason = _refusal(path.name, os.fstat(source.fileno()))
        if reason:
            raise NotARegularFile(reason)
        folder = Path(tempfile.mkdtemp(prefix="barometer-intake-"))
        try:
            copy = folder / path.name
            with copy.open("wb") as target:
                shutil.copyfileobj(source, target)
            yield copy
        finally:
            shutil.rmtree(folder, ignore_errors=True)
