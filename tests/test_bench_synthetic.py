"""The synthetic Belgium of the scale benchmarks (bench/synthetic.py) at its smallest: `make bench` runs the
large sizes, this checks that the files still go through the pipeline core as the benchmark runs it."""
from __future__ import annotations

import duckdb
import pytest

from bench import scale, synthetic

# a pipeline run of its own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow


def test_synthetic_files_load_validate_and_resolve_to_the_2025_municipalities(tmp_path):
    data = tmp_path / "synthetic"
    manifest = synthetic.write_dataset(data, themes=1)
    pipeline = scale.synthetic_pipeline(data, tmp_path / "chain", themes=1)
    scale.ingest(pipeline)
    assert scale.validate(pipeline) > 0
    scale.models(pipeline)
    with duckdb.connect(str(pipeline.settings.warehouse), read_only=True) as con:
        values = sum(con.execute(f"select count(*) from {s.raw_table}").fetchone()[0] for s in pipeline.sources)
        sets = dict(con.execute("select period, count(distinct nis_code) from observations "
                                "where period in ('2018', '2019', '2025') group by period").fetchall())
        # every year is harmonised to the 565 municipalities of 2025, merged parts added up
        harmonised = con.execute("select count(distinct nis_code) from harmonised_observations "
                                 "where period = '1996' and value is not null").fetchone()[0]
    assert values == manifest["values"]
    assert sets == {"2018": 589, "2019": 581, "2025": 565}
    assert harmonised == 565
