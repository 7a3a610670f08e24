"""The synthetic Belgium of the scale benchmarks (bench/synthetic.py) at its smallest: `make bench` runs the
large sizes, this only checks that the files still read with the project's parsers and models."""
from __future__ import annotations

import pytest
import duckdb

from bench import synthetic
from models import build

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow


def test_synthetic_files_load_and_resolve_to_the_2025_municipalities(tmp_path):
    manifest = synthetic.write_dataset(tmp_path / "synthetic", themes=1)
    catalog = synthetic.catalog(themes=1)
    con = duckdb.connect(str(tmp_path / "synthetic.duckdb"))
    values = 0
    for source in catalog.sources.values():  # the register first
        frame = synthetic.read(tmp_path / "synthetic", source)
        if source.parser == "register":
            build.load_raw(con, source, frame, synthetic.origin(tmp_path / "synthetic", source))
            build.municipalities(con, catalog)
            continue
        frame = build.within_area(con, frame, source, catalog.area)
        build.load_raw(con, source, frame, synthetic.origin(tmp_path / "synthetic", source))
        values += frame.height
    assert values == manifest["values"]
    build.observations(con, catalog)
    build.harmonised(con)
    sets = dict(con.execute("select period, count(distinct nis_code) from observations "
                            "where period in ('2018', '2019', '2025') group by period").fetchall())
    assert sets == {"2018": 589, "2019": 581, "2025": 565}
    # every year is harmonised to the 565 municipalities of 2025, merged parts added up
    assert con.execute("select count(distinct nis_code) from harmonised_observations "
                       "where period = '1996' and value is not null").fetchone()[0] == 565
