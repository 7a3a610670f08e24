"""The production deployment for real: a throwaway PostgreSQL cluster on a free local port, the Dagster
daemon and webserver of deploy/ as processes against it, and the landing folder's sensor deciding two
dropped files — one published, one refused with output/current unchanged — seen through the webserver's
GraphQL API, and the failed run's alert received by a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.mail_server import MailCatcher, free_port
from tests.test_landing import revised_newcomers_export

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BAD_FILE = ROOT / "tests" / "bad_inputs" / "bevolking_per_gemeente_2020-01-01_pre_2019_code.csv"
RUNS = """query { runsOrError { ... on Runs { results { runId status tags { key value } } } } }"""


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def postgres(tmp_path):
    """A PostgreSQL cluster of its own (user dagster, trust on 127.0.0.1), removed afterwards."""
    folder = postgres_bin()
    if folder is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql package)")
    # outside pytest's folders, which only their owner may enter: the server refuses to run as root, so as
    # root the cluster belongs to the postgres account
    cluster = Path(tempfile.mkdtemp(prefix="barometer-pg-"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(cluster, "postgres")
    port = free_port()
    subprocess.run([*as_owner, folder / "initdb", "-D", cluster / "data", "-A", "trust", "-U", "dagster"],
                   check=True, capture_output=True)
    subprocess.run([*as_owner, folder / "pg_ctl", "-D", cluster / "data", "-w", "-l", cluster / "log", "-o",
                    f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_USER": "dagster",
               "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": "postgres"}
    finally:
        subprocess.run([*as_owner, folder / "pg_ctl", "-D", cluster / "data", "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(cluster, ignore_errors=True)


def runs(port: int) -> list[dict]:
    answer = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": RUNS}, timeout=10).json()
    if not answer.get("data"):
        raise requests.RequestException(f"no runs in the answer: {str(answer)[:500]}")
    return answer["data"]["runsOrError"]["results"]


def wait_for(condition, timeout: float, what: str):
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            found = condition()
        except requests.RequestException as failure:
            found, last = None, failure
        if found:
            return found
        time.sleep(2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last})")


@pytest.fixture
def mail_catcher():
    with MailCatcher() as mail:
        yield mail


def test_the_daemon_on_postgresql_publishes_a_dropped_file_and_refuses_a_bad_one(postgres, published_copy,
                                                                               mail_catcher, tmp_path):
    home, landing = tmp_path / "dagster_home", tmp_path / "landing"
    home.mkdir()
    landing.mkdir()
    shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    port, mail = free_port(), mail_catcher
    env = {**os.environ, **postgres, "DAGSTER_HOME": str(home), "BAROMETER_OUTPUT": str(published_copy),
           "BAROMETER_SNAPSHOTS": str(tmp_path / "snapshots"), "BAROMETER_LANDING": str(landing),
           # a file is dropped whole here: one second unchanged is enough (a tick within it waits for the next)
           "BAROMETER_LANDING_STABLE_SECONDS": "1",
           "BAROMETER_SMTP_HOST": "127.0.0.1", "BAROMETER_SMTP_PORT": str(mail.port),
           "BAROMETER_SMTP_SENDER": mail.server.sender, "BAROMETER_SMTP_RECIPIENTS": ",".join(mail.server.recipients),
           "BAROMETER_UI_URL": f"http://127.0.0.1:{port}"}
    workspace = ["-w", str(ROOT / "deploy" / "workspace.yaml")]
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("daemon", "webserver")}
    processes = [
        subprocess.Popen([BIN / "dagster-daemon", "run", *workspace], cwd=ROOT, env=env,
                         stdout=logs["daemon"], stderr=subprocess.STDOUT),
        subprocess.Popen([BIN / "dagster-webserver", *workspace, "-h", "127.0.0.1", "-p", str(port)], cwd=ROOT,
                         env=env, stdout=logs["webserver"], stderr=subprocess.STDOUT),
    ]
    try:
        wait_for(lambda: runs(port) is not None, 120, "the webserver")
        before = (published_copy / "current").resolve()
        revised = revised_newcomers_export(tmp_path)
        shutil.move(revised, landing / revised.name)
        [good] = wait_for(lambda: [r for r in runs(port) if r["status"] in ("SUCCESS", "FAILURE")], 420,
                          "the sensor's run of the good file")
        assert good["status"] == "SUCCESS", (tmp_path / "daemon.log").read_text()[-3000:]
        published = (published_copy / "current").resolve()
        assert published != before

        shutil.copyfile(BAD_FILE, landing / BAD_FILE.name)
        bad = wait_for(lambda: [r for r in runs(port) if r["runId"] != good["runId"]
                                and r["status"] in ("SUCCESS", "FAILURE")], 420, "the run of the bad file")
        assert bad[0]["status"] == "FAILURE"
        assert (published_copy / "current").resolve() == published
        reason = wait_for(lambda: list((landing / "rejected").glob("*.reason.txt")), 120, "the rejection")
        assert "nis-code-in-code-set" in reason[0].read_text(encoding="utf-8")

        [alert] = wait_for(lambda: [m for m in mail.messages if "run of barometer_all failed" in m["Subject"]], 180,
                           "the failed run's e-mail")
        assert alert["Subject"].endswith(f"-{BAD_FILE.name}")
        body = alert.get_content()
        assert "rule 'nis-code-in-code-set'" in body
        link = f"http://127.0.0.1:{port}/runs/{bad[0]['runId']}"
        assert f"Run in the Dagster UI: {link}" in body
        assert requests.get(link, timeout=30).status_code == 200
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()
