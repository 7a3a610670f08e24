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

from dagster import (AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, RunFailureSensorContext, RunRequest,
                     SensorEvaluationContext, SkipReason, define_asset_job, run_failure_sensor, schedule, sensor)

from pipelines.core import Pipeline
from pipelines.landing import LANDING_TAG, PROFILE_TAG, SNAPSHOT_TAG, take_in, withdraw
from pipelines.run_report import run_problems
from reports.alerts import run_failed, send, source_overdue
from sources.freshness import freshness

# cron per cadence, in Brussels time; "once" sources (a census, a catalogue) have no schedule
CADENCE_CRON = {"monthly": "0 6 3 * *", "yearly": "0 6 15 1 *"}

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

    @sensor(name="landing_folder_sensor", job=barometer_all, minimum_interval_seconds=60,
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
        # the run key is the snapshot or profile: the same bytes dropped again never start a second run
        requests = [RunRequest(run_key=admission.run_key, tags={**admission.tags, LANDING_TAG: str(filed)})
                    for admission, filed in intake.admitted]
        return requests or SkipReason("; ".join(intake.notes) or f"no new file in {landing}")

    @run_failure_sensor(name="landing_run_failure_sensor", monitored_jobs=[barometer_all],
                        default_status=DefaultSensorStatus.RUNNING,
                        description="A landing run that failed: withdraw its snapshot and reject the file with the "
                                    "reason.")
    def landing_run_failure_sensor(context: RunFailureSensorContext) -> None:
        tags = context.dagster_run.tags
        if SNAPSHOT_TAG not in tags and PROFILE_TAG not in tags:
            return
        reason = "\n".join(run_problems(context.instance, context.dagster_run.run_id)) or context.failure_event.message
        withdraw(dict(tags), Path(tags[LANDING_TAG]), settings.landing, reason)
        context.log.info(f"withdrew {tags.get(SNAPSHOT_TAG) or tags.get(PROFILE_TAG)}: {reason}")

    return [landing_folder_sensor, landing_run_failure_sensor]


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
                        description="E-mails the office when a run of any job fails (BAROMETER_SMTP_*).")
    def failed_run_alert_sensor(context: RunFailureSensorContext) -> None:
        if settings.mail is None:
            return
        run = context.dagster_run
        problems = run_problems(context.instance, run.run_id) or [context.failure_event.message]
        files = [Path(run.tags[LANDING_TAG]).name] if LANDING_TAG in run.tags else []
        published = str(settings.current.resolve()) if settings.current.exists() else "none yet"
        deliver(context, run_failed(run.job_name, run.run_id, problems, files, published, settings.ui_url))

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
