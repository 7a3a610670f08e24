"""Jobs, a schedule per source cadence, and the landing-folder sensor."""

from collections import defaultdict

from dagster import (AssetKey, AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, RunRequest,
                     ScheduleDefinition, SensorEvaluationContext, SkipReason, define_asset_job, sensor)

from pipelines.assets import CATALOG
from pipelines.resources import BarometerResource

barometer_all = define_asset_job("barometer_all", selection=AssetSelection.all(),
                                 description="Every source, validation, model and the publication.")

# cron per cadence, in Brussels time; "once" sources (a census, a catalogue) have no schedule
CADENCE_CRON = {"monthly": "0 6 3 * *", "yearly": "0 6 15 1 *"}


def _cadence_jobs():
    by_cadence: dict[str, list[AssetKey]] = defaultdict(list)
    for source in CATALOG.sources.values():
        if source.snapshot and source.cadence in CADENCE_CRON:
            by_cadence[source.cadence].append(AssetKey(source.raw_table))
    jobs, schedules = [], []
    for cadence, keys in sorted(by_cadence.items()):
        job = define_asset_job(f"refresh_{cadence}", selection=AssetSelection.assets(*keys).downstream(),
                               description=f"The {cadence} sources and everything that depends on them.")
        jobs.append(job)
        schedules.append(ScheduleDefinition(name=f"refresh_{cadence}_schedule", job=job,
                                            cron_schedule=CADENCE_CRON[cadence],
                                            execution_timezone="Europe/Brussels",
                                            default_status=DefaultScheduleStatus.RUNNING))
    return jobs, schedules


CADENCE_JOBS, SCHEDULES = _cadence_jobs()


@sensor(job=barometer_all, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Starts a full run when a new file appears in the landing folder.")
def landing_folder_sensor(context: SensorEvaluationContext, barometer: BarometerResource):
    folder = barometer.landing
    if not folder.is_dir():
        return SkipReason(f"landing folder {folder} does not exist")
    # the cursor is the newest (mtime, name) seen, so a file is picked up once and the cursor only grows
    last = context.cursor or ""
    found = sorted((f"{p.stat().st_mtime_ns:020d}|{p.name}", p) for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith("."))
    new = [(key, path) for key, path in found if key > last]
    if not new:
        return SkipReason(f"no new file in {folder}")
    context.update_cursor(new[-1][0])
    return [RunRequest(run_key=key, tags={"barometer/landing_file": path.name}) for key, path in new]
