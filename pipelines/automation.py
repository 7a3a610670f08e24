"""Jobs, a schedule per source cadence, the landing-folder sensor and what happens when its run fails."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from dagster import (AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, RunFailureSensorContext, RunRequest,
                     SensorEvaluationContext, SkipReason, define_asset_job, run_failure_sensor, schedule, sensor)

from pipelines.core import Pipeline
from pipelines.landing import ACCEPTED, REJECTED, Rejected, admit, file_away, withdraw
from pipelines.run_report import run_problems

SNAPSHOT_TAG, LANDING_TAG = "barometer/snapshot", "barometer/landing_file"
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
        requests, notes = [], []
        for path in sorted(p for p in landing.iterdir() if p.is_file() and not p.name.startswith(".")):
            try:
                admission = admit(path, pipeline.catalog, settings.snapshot_roots)
            except Rejected as rejection:
                file_away(path, landing, REJECTED, str(rejection))
                context.log.warning(f"rejected: {rejection}")
                notes.append(f"rejected {path.name}: {rejection}")
                continue
            filed = file_away(path, landing, ACCEPTED)
            if not admission.new:
                notes.append(f"{path.name} is already the newest snapshot of {admission.source.id}; no new run")
                continue
            # the run key is the snapshot: the same bytes dropped again never start a second run
            requests.append(RunRequest(
                run_key=f"{admission.source.id}:{admission.snapshot.origin['sha256']}",
                tags={SNAPSHOT_TAG: str(admission.snapshot.folder), LANDING_TAG: str(filed)}))
        return requests or SkipReason("; ".join(notes) or f"no new file in {landing}")

    @run_failure_sensor(name="landing_run_failure_sensor", monitored_jobs=[barometer_all],
                        default_status=DefaultSensorStatus.RUNNING,
                        description="A landing run that failed: withdraw its snapshot and reject the file with the "
                                    "reason.")
    def landing_run_failure_sensor(context: RunFailureSensorContext) -> None:
        tags = context.dagster_run.tags
        if SNAPSHOT_TAG not in tags:
            return
        reason = "\n".join(run_problems(context.instance, context.dagster_run.run_id)) or context.failure_event.message
        withdraw(Path(tags[SNAPSHOT_TAG]), Path(tags[LANDING_TAG]), settings.landing, reason)
        context.log.info(f"withdrew {tags[SNAPSHOT_TAG]}: {reason}")

    return [landing_folder_sensor, landing_run_failure_sensor]
