"""Jobs, a schedule per source cadence, the landing-folder sensor, what happens when a run fails, and the
e-mails for a failed run and an overdue source."""
from __future__ import annotations

import datetime as dt
import json
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from dagster import (AssetSelection, DagsterRun, DefaultScheduleStatus, DefaultSensorStatus,
                     RunFailureSensorContext, RunRequest, SensorEvaluationContext, SkipReason, define_asset_job,
                     run_failure_sensor, schedule, sensor)

from pipelines.core import Pipeline
from pipelines.landing import LANDING_TAG, PROFILE_TAG, SNAPSHOT_TAG, take_in, withdraw
from pipelines.run_report import judged_the_data, run_problems
from reports.alerts import run_failed, send, source_overdue
from sources.freshness import freshness

# cron per cadence, in Brussels time; "once" sources (a census, a catalogue) have no schedule
CADENCE_CRON = {"monthly": "0 6 3 * *", "yearly": "0 6 15 1 *"}

# a landing run that fails for a reason outside its file is started once more with the same file
ATTEMPT_TAG, ATTEMPTS = "barometer/attempt", 2

barometer_all = define_asset_job("barometer_all", selection=AssetSelection.all(),
                                 description="Every source, validation, model and the publication.")


def cadence_schedules(pipeline: Pipeline) -> tuple[list, list]:
    """A job and a schedule per cadence: its sources and everything that depends on them."""
    by_cadence: dict[str, list[str]] = defaultdict(list)
    for source in [pipeline.register, *pipeline.sources]:
        if source.cadence in CADENCE_CRON:
            by_cadence[source.cadence].append(source.raw_table)
    jobs, schedules = [], []
    for cadence, tables in sorted(by_cadence.items()):
        job = define_asset_job(f"refresh_{cadence}", selection=AssetSelection.assets(*tables).downstream(),
                               description=f"The {cadence} sources and everything that depends on them.")
        jobs.append(job)
        schedules.append(schedule(name=f"refresh_{cadence}_schedule", job=job, cron_schedule=CADENCE_CRON[cadence],
                                  execution_timezone="Europe/Brussels",
                                  default_status=DefaultScheduleStatus.RUNNING)(lambda context: RunRequest()))
    return jobs, schedules


def landing_sensors(pipeline: Pipeline) -> list:
    settings = pipeline.settings

    @sensor(name="landing_folder_sensor", job=barometer_all, minimum_interval_seconds=settings.landing_look_seconds,
            default_status=DefaultSensorStatus.RUNNING,
            description="Identifies a file dropped in the landing folder, snapshots it and starts a run.")
    def landing_folder_sensor(context: SensorEvaluationContext):
        landing = settings.landing
        if not landing.is_dir():
            return SkipReason(f"landing folder {landing} does not exist")
        intake = take_in(settings, json.loads(context.cursor or "{}"), time.time_ns())
        context.update_cursor(json.dumps(intake.seen))
        for note in intake.notes:
            context.log.info(note)
        # the run key is the snapshot or profile and the file's arrival (its stamped name in accepted/): the
        # same bytes that already serve are not admitted at all, and dropped again after a failed run they
        # are a new attempt
        requests = [RunRequest(run_key=f"{admission.run_key}:{filed.name}",
                               tags={**admission.tags, LANDING_TAG: str(filed)})
                    for admission, filed in intake.admitted]
        return requests or SkipReason("; ".join(intake.notes) or f"no new file in {landing}")

    @run_failure_sensor(name="landing_run_failure_sensor", monitored_jobs=[barometer_all], request_job=barometer_all,
                        minimum_interval_seconds=settings.failure_look_seconds, default_status=DefaultSensorStatus.RUNNING,
                        description="A landing run that failed on its file: withdraw its snapshot and reject the file "
                                    "with the reason. One that failed for a reason outside the file (the run "
                                    "database lost, the run worker killed): start it once more.")
    def landing_run_failure_sensor(context: RunFailureSensorContext):
        run = context.dagster_run
        tags = run.tags
        if SNAPSHOT_TAG not in tags and PROFILE_TAG not in tags:
            return None
        judged = judged_the_data(context.instance, run.run_id)
        again = next_attempt(run, judged)
        problems = run_problems(context.instance, run.run_id) or [context.failure_event.message]
        if again is not None:
            context.log.info(f"run {run.run_id} failed for a reason outside its file ({'; '.join(problems)}): "
                             f"started once more as attempt {again.tags[ATTEMPT_TAG]}")
            return again
        reason = "\n".join(problems)
        if not judged:
            reason = (f"the run failed {ATTEMPTS} times for a reason outside this file ({reason}); the file itself was "
                      "not judged: drop it again once the fault is repaired")
        withdraw(dict(tags), Path(tags[LANDING_TAG]), settings.landing, reason)
        context.log.info(f"withdrew {tags.get(SNAPSHOT_TAG) or tags.get(PROFILE_TAG)}: {reason}")
        return None

    return [landing_folder_sensor, landing_run_failure_sensor]


def next_attempt(run: DagsterRun, judged: bool) -> RunRequest | None:
    """The same landing run once more, when it failed for a reason outside its file (not `judged` on its data:
    see run_report.judged_the_data): its snapshot was never judged, and one that failed on its data would fail
    again."""
    tags = run.tags
    attempt = int(tags.get(ATTEMPT_TAG, "1"))
    if LANDING_TAG not in tags or attempt >= ATTEMPTS or judged:
        return None
    own = {key: value for key, value in tags.items() if not key.startswith("dagster/")}
    return RunRequest(run_key=f"{tags.get('dagster/run_key', run.run_id)}:attempt-{attempt + 1}",
                      tags={**own, ATTEMPT_TAG: str(attempt + 1)})


def alert_sensors(pipeline: Pipeline, today: Callable[[], dt.date] = dt.date.today) -> list:
    """E-mail for every failed run and for each source that becomes overdue, when a mail server is set."""
    settings = pipeline.settings

    def deliver(context, alert) -> bool:
        # an alert that cannot be sent is logged; the run it reports on has ended as it did
        try:
            send(alert, settings.mail)
        except (OSError, smtplib.SMTPException) as failure:
            context.log.error(f"alert not sent to {settings.mail.host}:{settings.mail.port}: {failure} "
                              f"(subject: {alert.subject})")
            return False
        context.log.info(f"alert sent to {', '.join(settings.mail.recipients)}: {alert.subject}")
        return True

    @run_failure_sensor(name="failed_run_alert_sensor", default_status=DefaultSensorStatus.RUNNING,
                        minimum_interval_seconds=settings.failure_look_seconds,
                        description="E-mails the office when a run of any job fails (BAROMETER_SMTP_*).")
    def failed_run_alert_sensor(context: RunFailureSensorContext) -> None:
        if settings.mail is None:
            return
        run = context.dagster_run
        problems = run_problems(context.instance, run.run_id) or [context.failure_event.message]
        files = [Path(run.tags[LANDING_TAG]).name] if LANDING_TAG in run.tags else []
        published = str(settings.current.resolve()) if settings.current.exists() else "none yet"
        deliver(context, run_failed(run.job_name, run.run_id, problems, files, published, settings.ui_url,
                                    tried_again=next_attempt(run, judged_the_data(context.instance, run.run_id))
                                    is not None))

    @sensor(name="overdue_source_alert_sensor", minimum_interval_seconds=3600,
            default_status=DefaultSensorStatus.RUNNING,
            description="E-mails the office once when a source's newest file becomes older than its cadence "
                        "allows (BAROMETER_SMTP_*).")
    def overdue_source_alert_sensor(context: SensorEvaluationContext):
        day = today()
        overdue = [held for held in freshness(settings.catalog, settings.snapshot_roots) if held.overdue(day)]
        if settings.mail is None:
            return SkipReason(f"{len(overdue)} source(s) overdue; e-mail alerts are off (no BAROMETER_SMTP_HOST)")
        # the cursor remembers the snapshot each alert was about: one e-mail per overdue file, not per tick
        alerted = json.loads(context.cursor) if context.cursor else {}
        still = {held.source.id: held.latest.version for held in overdue}
        sent = {source_id: version for source_id, version in alerted.items() if still.get(source_id) == version}
        for held in overdue:
            if sent.get(held.source.id) != held.latest.version and \
                    deliver(context, source_overdue(held, day, str(settings.landing), settings.ui_url)):
                sent[held.source.id] = held.latest.version
        context.update_cursor(json.dumps(sent, sort_keys=True))
        return SkipReason(f"{len(overdue)} source(s) overdue: " + (", ".join(still) or "none"))

    return [failed_run_alert_sensor, overdue_source_alert_sensor]
