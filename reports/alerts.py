"""The e-mails the planning office gets when nobody watches: a failed run and a source that became overdue.

An alert is composed from plain facts (the job, the run's problems, the files) so that it can be read
without opening the UI; the link to the run or the asset is there for the details. Sending is off when no
mail server is configured.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sources.freshness import Freshness

SUBJECT_PREFIX = "[armoedebarometer]"


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    # STARTTLS on a submission port; a local relay on port 25 usually has none
    starttls: bool = False
    timeout: float = 30.0


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str


def send(alert: Alert, server: MailServer) -> None:
    """Hands the alert to the mail server; raises OSError or smtplib.SMTPException when it cannot."""
    message = EmailMessage()
    message["Subject"] = f"{SUBJECT_PREFIX} {alert.subject}"
    message["From"] = server.sender
    message["To"] = ", ".join(server.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    message.set_content(alert.body)
    with smtplib.SMTP(server.host, server.port, timeout=server.timeout) as smtp:
        if server.starttls:
            smtp.starttls()
        if server.user:
            smtp.login(server.user, server.password or "")
        smtp.send_message(message)


def _link(ui_url: str | None, path: str) -> str:
    if not ui_url:
        return "(set BAROMETER_UI_URL to the Dagster UI's address for a link here)"
    return f"{ui_url.rstrip('/')}/{path}"


def run_failed(job: str, run_id: str, problems: Sequence[str], files: Sequence[str], published: str,
               ui_url: str | None, tried_again: bool = False) -> Alert:
    """A failed run: what failed (file, rule, offending rows as the checks report them), what was kept and
    whether the run is tried again (a failure outside the dropped file)."""
    what = f"the file {files[0]}" if len(files) == 1 else f"{len(files)} files" if files else "the run"
    lines = [f"The run {run_id} of job {job} failed.", "", f"Published release (unchanged): {published}", ""]
    if files:
        lines += ["Files:", *(f"  {name}" for name in files)]
    else:
        lines += ["Files: the sources as held in the snapshots (no file was dropped for this run)"]
    lines += ["", "What failed:"]
    for problem in problems:
        lines += [f"  {line}" if line else "" for line in problem.splitlines()] + [""]
    lines += [f"Run in the Dagster UI: {_link(ui_url, f'runs/{run_id}')}"]
    if tried_again:
        lines += ["", "The file itself was not judged: the run failed for a reason outside it, and is started once "
                      "more with the same file. A second such failure puts it in landing/rejected/."]
    elif files:
        lines += ["", "A dropped file that failed is in landing/rejected/ with its reason; "
                      "correct it and drop it again."]
    return Alert(f"run of {job} failed: {what}", "\n".join(lines) + "\n")


def source_overdue(held: Freshness, today: dt.date, landing: str, ui_url: str | None) -> Alert:
    """A source whose newest file is older than its cadence allows, and how to bring a newer one."""
    source, latest = held.source, held.latest
    how = (f"Run `barometer fetch {source.id}`, or drop the publisher's new file in {landing}."
           if source.url else
           f"Download the new file{f' from {source.page}' if source.page else ''} and drop it in {landing}.")
    lines = [f"Source {source.id} ({source.title}) is overdue.", "",
             f"Newest file: {latest.origin['file']} (snapshot {latest.version}, obtained {held.obtained})",
             f"Rule: a {source.cadence} source is overdue {held.window.days} days after its file was obtained; "
             f"this one was due by {held.due}, {(today - held.due).days} days ago.",
             f"Publisher: {source.publisher}", "", how, "",
             f"Source in the Dagster UI: {_link(ui_url, f'assets/{source.raw_table}')}"]
    return Alert(f"source {source.id} is overdue (newest file obtained {held.obtained})", "\n".join(lines) + "\n")
