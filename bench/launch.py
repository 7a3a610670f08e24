"""Run one benchmark in a child process: its wall time, its peak RSS and the timings it writes itself.

Every measurement is a new process (a cold start). The peak RSS is the kernel's account of the child
(`wait4`), not a sample. A watchdog stops a child that grows past a memory cap or runs past a time
limit, because the machine is shared; the outcome then says why it stopped.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MEMORY_CAP_MB = 8192
TIME_LIMIT_SECONDS = 1200
WATCH_SECONDS = 0.1


@dataclass
class Outcome:
    seconds: float
    peak_rss_mb: int
    error: str | None = None
    # what the child wrote: stages, counts
    result: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def _rss_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass  # the child has just ended
    return 0


def _watch(child: subprocess.Popen, cap_mb: int, limit: float, stopped: list[str]) -> None:
    start = time.monotonic()
    while child.returncode is None:
        if _rss_mb(child.pid) > cap_mb:
            stopped.append(f"stopped: resident memory above the cap of {cap_mb} MB")
        elif time.monotonic() - start > limit:
            stopped.append(f"stopped: still running after {limit:.0f} s")
        if stopped:
            os.kill(child.pid, signal.SIGKILL)
            return
        time.sleep(WATCH_SECONDS)


def launch(module: str, args: list[str], log: Path, env: dict[str, str] | None = None,
           cap_mb: int = MEMORY_CAP_MB, limit: float = TIME_LIMIT_SECONDS) -> Outcome:
    """Run `python -m module args --result FILE` from the project folder; its output goes to `log`."""
    handle, result_file = tempfile.mkstemp(suffix=".json", prefix="bench-")
    os.close(handle)
    result = Path(result_file)
    log.parent.mkdir(parents=True, exist_ok=True)
    stopped: list[str] = []
    with log.open("w", encoding="utf-8") as out:
        environment = {**os.environ, **(env or {}), "BENCH_T0": repr(time.time())}
        start = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", module, *args, "--result", str(result)], cwd=PROJECT,
                                 env=environment, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        watchdog = threading.Thread(target=_watch, args=(child, cap_mb, limit, stopped), daemon=True)
        watchdog.start()
        # wait4 gives this child's own peak RSS, where Popen.wait gives none
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        watchdog.join()
    written = json.loads(result.read_text(encoding="utf-8")) if result.stat().st_size else {}
    result.unlink()
    error = stopped[0] if stopped else None
    if error is None and child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or ["no output"]
        error = f"exit code {child.returncode}: {tail[0][:300]}"
    return Outcome(round(seconds, 3), usage.ru_maxrss // 1024, error, written)
