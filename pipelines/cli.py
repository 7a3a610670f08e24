"""`barometer`: the command line for the planning office's routine tasks.

It calls the same code as the Dagster assets and sensors: `run` executes the job, `ingest` does for
one file what the landing-folder sensor does, `fetch` is what a raw asset does with downloads on.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from enum import IntEnum
from pathlib import Path

from pipelines.settings import PROJECT_ROOT, ConfigurationError, Settings


class Exit(IntEnum):
    """The exit codes, as `barometer --help` lists them."""
    OK = 0  # done (or nothing to do)
    RUN_FAILED = 1  # the run failed: a validation rule or a step failed; output/current was left as it was
    USAGE = 2  # the command line was wrong
    REFUSED = 3  # a file was refused: an ingested file that does not parse or fails a rule, a tampered snapshot
    CONFIGURATION = 4  # the configuration is missing or wrong (BAROMETER_* settings, catalogue, indicators)
    BUSY = 5  # another run holds the output folder's lock; nothing was changed


EXIT_CODES = f"""exit codes:
  {Exit.OK:d}  done (or nothing to do)
  {Exit.RUN_FAILED:d}  the run failed (a validation rule or a step) or a download did; output/current was left as it was
  {Exit.USAGE:d}  the command line was wrong
  {Exit.REFUSED:d}  a file was refused: an ingested file that does not parse or fails a rule (it is in
     landing/rejected/ with the reason), or a snapshot that is not what it was
  {Exit.CONFIGURATION:d}  the configuration is missing or wrong (BAROMETER_* settings, catalogue, indicator files)
  {Exit.BUSY:d}  another run holds the output folder's lock; nothing was changed

An expected failure prints what went wrong in one or two lines; --verbose adds the traceback and
Dagster's own log."""


def _say(message: str) -> None:
    print(message, flush=True)


def _report(outcome, what: str, settings: Settings) -> int:
    current = settings.current
    if outcome.success and outcome.run_id is None:
        _say(f"{what}: nothing changed since the last run (no new file, no new code); "
             f"the published release stays {current.resolve()}")
        return Exit.OK
    if outcome.success:
        _say(f"{what}: run {outcome.run_id} succeeded. Published release: {current.resolve()}")
        return Exit.OK
    which = f"run {outcome.run_id}" if outcome.run_id else "the run"
    print(f"{what}: {which} FAILED; output/current was left as it was.", file=sys.stderr)
    for problem in outcome.problems:
        print(f"- {problem}", file=sys.stderr)
    return Exit.REFUSED if outcome.refused else Exit.RUN_FAILED


def _years(text: str | None) -> list[int] | None:
    if not text:
        return None
    first, _, last = text.partition(":")
    try:
        return list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise SystemExit(f"--years {text!r}: give a year (2023) or a range (2019:2021)") from None


def run(args: argparse.Namespace) -> int:
    from pipelines.runner import run_job

    settings, years = Settings.from_env().checked(), _years(args.years)
    # chosen years or --all are run as asked; otherwise only what a new file or new code made stale
    only_stale = not (years or args.all)
    what = "what changed" if only_stale else "everything"
    span = f" for the reference years {years[0]} to {years[-1]}" if years else ""
    _say(f"Running {args.job} ({what}){span} ...")
    outcome = run_job(settings, args.job, only_stale=only_stale, years=years, log_level=_dagster_log(args))
    return _report(outcome, "barometer run", settings)


def _dagster_log(args: argparse.Namespace) -> str:
    # the failures Dagster logs with their stack traces are reported by _report in a line each
    return "WARNING" if args.verbose else "CRITICAL"


def sources(args: argparse.Namespace) -> int:
    from sources.freshness import freshness

    settings = Settings.from_env().checked()
    today = dt.date.today()
    rows = [("source", "cadence", "latest snapshot", "freshness", "publisher")]
    for held in freshness(settings.catalog, settings.snapshot_roots):
        latest = f"{held.latest.version} ({held.latest.origin['file']})" if held.latest else "-"
        rows.append((held.source.id, held.source.cadence, latest, held.state(today), held.source.publisher))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        _say("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    return Exit.OK


def fetch(args: argparse.Namespace) -> int:
    from sources.download import DownloadError, catalogue_hosts
    from sources.download import fetch as download
    from sources.errors import SourceFileError
    from sources.snapshots import find_latest

    settings = Settings.from_env().checked()
    catalog = settings.catalog
    chosen = [catalog.source(args.source)] if args.source else [s for s in catalog.sources.values() if s.url]
    failed = 0
    for source in chosen:
        if not source.url:
            where = f" (the publisher's page is {source.page}; drop the file in the landing folder)" if source.page else ""
            print(f"{source.id}: the catalogue has no direct download URL for it{where}", file=sys.stderr)
            failed += 1
            continue
        previous = find_latest(settings.snapshot_roots, source.id)

        def progress(done: int, total: int | None, source_id: str = source.id) -> None:
            of = f" of {total / 1e6:.1f} MB" if total else ""
            print(f"\r{source_id}: {done / 1e6:.1f} MB{of}", end="", file=sys.stderr, flush=True)

        try:
            result = download(source, settings.snapshots, previous=previous.origin if previous else None,
                              allowed_hosts=catalogue_hosts(catalog), progress=progress)
        except (DownloadError, SourceFileError) as err:
            print(f"\r{err}", file=sys.stderr)
            failed += 1
            continue
        where = f" -> {result.snapshot.folder}" if result.snapshot else ""
        _say(f"\r{source.id}: {result.status}{where}")
    return Exit.RUN_FAILED if failed else Exit.OK


def ingest(args: argparse.Namespace) -> int:
    from pipelines.intake import NotARegularFile, refusal, settle, taken, unwritable
    from pipelines.landing import REJECTED, Rejected, admit, file_away, refuse_entry, withdraw
    from pipelines.runner import run_job

    # absolute, not resolved: a symbolic link is judged as the link, never as what it points to
    path = Path(args.file).absolute()
    settings = Settings.from_env().checked()
    landing = settings.landing
    try:
        landing.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # unwritable() says why
    blocked = unwritable(landing)
    if blocked:
        raise ConfigurationError(blocked)
    reason = refusal(path)
    if reason is None and not settle(path, settings.landing_stable_seconds):
        reason = f"{path.name} is still being written; try again once the copy has finished"
    if reason is not None:
        refuse_entry(path.name, landing, reason)
        print(f"refused: {reason}", file=sys.stderr)
        return Exit.REFUSED
    try:
        with taken(path) as copy:
            try:
                admission = admit(copy, settings)
            except Rejected as rejection:
                file_away(copy, landing, REJECTED, str(rejection), copy=True)
                print(f"rejected: {rejection}", file=sys.stderr)
                return Exit.REFUSED
            if not admission.new:
                _say(f"{path.name} is already {admission.what}; nothing to run.")
                return Exit.OK
            _say(f"{path.name} is {admission.what}. Running ...")
            outcome = run_job(settings, only_stale=True)  # the new file and what depends on it
            if not outcome.success:
                # like the sensor: the snapshot is withdrawn and a copy of the file is rejected with the reason
                reason = "\n".join(outcome.problems) or "the run failed"
                withdraw(admission.tags, None, landing, reason)
                file_away(copy, landing, REJECTED, reason, copy=True)
    except NotARegularFile as refused:
        refuse_entry(path.name, landing, str(refused))
        print(f"refused: {refused}", file=sys.stderr)
        return Exit.REFUSED
    code = _report(outcome, f"barometer ingest {path.name}", settings)
    return Exit.REFUSED if not outcome.success else code


def main(argv: list[str] | None = None) -> int:
    # runs appear in the Dagster UI when they share its instance (the repo's dagster.yaml)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    parser = argparse.ArgumentParser(prog="barometer", description="Armoedebarometer pipeline", epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="show tracebacks and Dagster's log")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("run", help="run the pipeline and publish output/current")
    command.add_argument("--job", default="barometer_all", help="job to run (default: barometer_all)")
    command.add_argument("--years", help="reference years to (re)load, e.g. 2019:2021 or 2023 (default: all)")
    command.add_argument("--all", action="store_true",
                         help="recompute every asset, also those whose files and code did not change")
    command.set_defaults(handler=run)
    command = commands.add_parser("sources", help="the source catalogue with each source's latest snapshot")
    command.set_defaults(handler=sources)
    command = commands.add_parser("fetch", help="download the publishers' files into new snapshots")
    command.add_argument("source", nargs="?", help="one source id (default: every source with a URL)")
    command.set_defaults(handler=fetch)
    command = commands.add_parser("ingest", help="identify, snapshot and run one publisher file")
    command.add_argument("file", help="the publisher file")
    command.set_defaults(handler=ingest)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except Exception as failure:  # noqa: BLE001 - every failure ends in a line and an exit code
        code = _expected(failure)
        if code is None or args.verbose:
            raise
        print(f"barometer {args.command}: {failure}", file=sys.stderr)
        if code is not Exit.BUSY:
            print("(nothing was published; --verbose shows the traceback)", file=sys.stderr)
        return code


def _expected(failure: Exception) -> Exit | None:
    """The exit code of a failure the office can meet in routine work; None for a defect (a traceback)."""
    from pipelines.core import RunBusy
    from sources.errors import SourceFileError

    if isinstance(failure, RunBusy):
        return Exit.BUSY
    if isinstance(failure, SourceFileError):
        return Exit.REFUSED
    if isinstance(failure, ConfigurationError):
        return Exit.CONFIGURATION
    return None


if __name__ == "__main__":
    sys.exit(main())
