"""Reference years as Dagster partitions, and the run tags that cover all of them in one run."""
from dagster import TimeWindowPartitionsDefinition
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

FIRST_YEAR = 2000

# Dagster has no yearly partitions class; a yearly cron window is the known way (dagster issue #12415).
# end_offset=1 includes the current year, for sources published during the year they describe.
YEARS = TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", fmt="%Y", start=str(FIRST_YEAR), end_offset=1)


def year_range_tags(first: str | None = None, last: str | None = None) -> dict[str, str]:
    """Tags for one run over a range of years (all years by default): the raw assets load them in one go."""
    keys = YEARS.get_partition_keys()
    return {ASSET_PARTITION_RANGE_START_TAG: first or keys[0], ASSET_PARTITION_RANGE_END_TAG: last or keys[-1]}


def all_years() -> range:
    keys = YEARS.get_partition_keys()
    return range(int(keys[0]), int(keys[-1]) + 1)
