"""The production deployment for real: a throwaway PostgreSQL cluster on a free local port, the Dagster
daemon and webserver started as deploy/'s systemd units start them, with deploy/env.example's settings, and
the landing folder's sensor deciding two dropped files — one published, one refused with output/current
unchanged — seen through the webserver's GraphQL API, and the failed run's alert received by a real SMTP
server on 127.0.0.1. Then PostgreSQL stopped in the middle of a run and started again: the run fails,
current stays, and the next run succeeds."""
from __future__ import annotations

import configparser
import glob
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.mail_server import MailCatcher, free_port
from tests.test_landing import revised_newcomers_export

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
BAD_FILE = ROOT / "tests" / "bad_inputs" / "bevolking_per_gemeente_2020-01-01_pre_2019_code.csv"
RUNS = """query { runsOrError { ... on Runs { results { runId status tags { key value } } } } }"""


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@dataclass
class Cluster:
    """A PostgreSQL server of its own, which a test may stop and start again."""
    folder: Path
    data: Path
    port: int
    as_owner: list[str]

    @property
    def env(self) -> dict[str, str]:
        return {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(self.port), "DAGSTER_PG_USER": "dagster",
                "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": "postgres"}

    def start(self) -> None:
        subprocess.run([*self.as_owner, self.folder / "pg_ctl", "-D", self.data, "-w", "-l",
                        self.data.parent / "log", "-o",
                        f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self.as_owner, self.folder / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"],
                       capture_output=True)


@pytest.fixture
def postgres():
    """A PostgreSQL cluster of its own (user dagster, trust on 127.0.0.1), removed afterwards."""
    folder = postgres_bin()
    if folder is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql package)")
    # outside pytest's folders, which only their owner may enter: the server refuses to run as root, so as
    # root the cluster belongs to the postgres account
    home = Path(tempfile.mkdtemp(prefix="barometer-pg-"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(home, "postgres")
    cluster = Cluster(folder, home / "data", free_port(), as_owner)
    subprocess.run([*as_owner, folder / "initdb", "-D", cluster.data, "-A", "trust", "-U", "dagster"],
                   check=True, capture_output=True)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


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


def ended(port: int, but: set[str] = frozenset()) -> list[dict]:
    return [r for r in runs(port) if r["runId"] not in but and r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]


@dataclass
class Deployment:
    """The daemon and the webserver of deploy/ running against a cluster, with their own landing folder."""
    port: int
    landing: Path
    output: Path
    logs: Path

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]


@pytest.fixture
def mail_catcher():
    with MailCatcher() as mail:
        yield mail


def settings_of(env_file: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile and compose's env_file read them."""
    lines = [line.strip() for line in env_file.read_text(encoding="utf-8").splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def service_command(unit: str, env: dict[str, str]) -> list[str]:
    """The unit's ExecStart as systemd would run it from this checkout: ${VAR} from the environment file,
    the install folder (its WorkingDirectory) being this project folder."""
    service = configparser.ConfigParser(interpolation=None)
    service.optionxform = str
    service.read(ROOT / "deploy" / "systemd" / unit, encoding="utf-8")
    installed = service["Service"]["WorkingDirectory"]
    defaults = dict(line.split("=", 1) for line in service["Service"]["Environment"].split()) \
        if "Environment" in service["Service"] else {}
    # systemd makes each ${VAR} one word of the command, empty when unset; the file's settings win
    known = {**defaults, **env}
    return [re.sub(r"\$\{(\w+)\}", lambda name: known.get(name[1], ""), word).replace(installed, str(ROOT))
            for word in shlex.split(service["Service"]["ExecStart"])]


@pytest.fixture
def deployment(postgres, published_copy, mail_catcher, tmp_path):
    home, landing = tmp_path / "dagster_home", tmp_path / "landing"
    home.mkdir()
    landing.mkdir()
    shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    port, mail = free_port(), mail_catcher
    example = settings_of(ROOT / "deploy" / "env.example")
    here = {**postgres.env, "DAGSTER_HOME": str(home), "BAROMETER_OUTPUT": str(published_copy),
            "BAROMETER_SNAPSHOTS": str(tmp_path / "snapshots"), "BAROMETER_LANDING": str(landing),
            # a file is dropped whole here: one second unchanged is enough (a tick within it waits for the next)
            "BAROMETER_LANDING_STABLE_SECONDS": "1",
            # the sensors look every 5 s instead of every minute (and of every 30 s for failed runs)
            "BAROMETER_LANDING_LOOK_SECONDS": "5",
            "BAROMETER_SMTP_HOST": "127.0.0.1", "BAROMETER_SMTP_PORT": str(mail.port),
            "BAROMETER_SMTP_SENDER": mail.server.sender,
            "BAROMETER_SMTP_RECIPIENTS": ",".join(mail.server.recipients),
            "BAROMETER_UI_PORT": str(port), "BAROMETER_UI_URL": f"http://127.0.0.1:{port}"}
    # the example names every setting the deployment is given here
    assert set(here) <= set(example), set(here) - set(example)
    # the test's mail server takes no login and no STARTTLS
    no_login = {"BAROMETER_SMTP_USER", "BAROMETER_SMTP_PASSWORD", "BAROMETER_SMTP_STARTTLS"}
    settings = {key: value for key, value in {**example, **here}.items() if key not in no_login}
    env = {**os.environ, **settings}
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("daemon", "webserver")}
    processes = [subprocess.Popen(service_command(f"armoedebarometer-{name}.service", settings), cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT) for name, log in logs.items()]
    try:
        wait_for(lambda: runs(port) is not None, 120, "the webserver")
        yield Deployment(port, landing, published_copy, tmp_path)
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


def test_the_daemon_on_postgresql_publishes_a_dropped_file_and_refuses_a_bad_one(deployment, mail_catcher, tmp_path):
    port, landing, output, mail = deployment.port, deployment.landing, deployment.output, mail_catcher
    before = (output / "current").resolve()
    revised = revised_newcomers_export(tmp_path)
    shutil.move(revised, landing / revised.name)
    [good] = wait_for(lambda: ended(port), 420, "the sensor's run of the good file")
    assert good["status"] == "SUCCESS", deployment.log("daemon")
    published = (output / "current").resolve()
    assert published != before

    shutil.copyfile(BAD_FILE, landing / BAD_FILE.name)
    bad = wait_for(lambda: ended(port, {good["runId"]}), 420, "the run of the bad file")
    assert bad[0]["status"] == "FAILURE"
    assert (output / "current").resolve() == published
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


@pytest.mark.reliability("server", "PostgreSQL stopped mid-run and started again",
                         "the run failed, current kept; the second attempt published")
def test_postgresql_stopping_in_the_middle_of_a_run_fails_it_cleanly_and_the_next_attempt_publishes(
        deployment, postgres, mail_catcher, tmp_path):
    port, landing, output, mail = deployment.port, deployment.landing, deployment.output, mail_catcher
    before = (output / "current").resolve()
    revised = revised_newcomers_export(tmp_path)
    shutil.move(revised, landing / revised.name)
    [first] = wait_for(lambda: [r for r in runs(port) if r["status"] == "STARTED"], 300, "the run to start")
    # early in the run, long before its publication, and longer than the storage's connection retries
    time.sleep(3)
    postgres.stop("immediate")
    time.sleep(30)
    postgres.start()

    [failed] = wait_for(lambda: [r for r in ended(port) if r["runId"] == first["runId"]], 300, "the run to end")
    assert failed["status"] == "FAILURE", deployment.log("daemon")
    assert (output / "current").resolve() == before
    assert not list((output / "releases").glob(".building-*"))

    # the database, not the file, failed the run: it is started once more with the same file, and publishes
    def second_attempt():
        return [r for r in ended(port, {first["runId"]}) if {"key": "barometer/attempt", "value": "2"} in r["tags"]]
    [again] = wait_for(second_attempt, 600, "the second attempt")
    assert again["status"] == "SUCCESS", deployment.log("daemon")
    assert (output / "current").resolve() != before
    assert not (landing / "rejected").exists() or not list((landing / "rejected").iterdir())
    assert [p.name.endswith(revised.name) for p in (landing / "accepted").iterdir()] == [True]

    [alert] = wait_for(lambda: [m for m in mail.messages if "run of barometer_all failed" in m["Subject"]], 180,
                       "the failed run's e-mail")
    body = alert.get_content()
    assert f"/runs/{first['runId']}" in body and "is started once more with the same file" in body, body
