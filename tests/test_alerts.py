"""The e-mail alerts, received by a real SMTP server on 127.0.0.1: a failed run names its file, rule and
rows with a link to the run; an overdue source is mailed once; no server configured means no e-mail; a
server that is down is logged and changes nothing else."""
from __future__ import annotations

import datetime as dt

import pytest
from dagster import SkipReason, build_sensor_context

from pipelines.automation import alert_sensors
from pipelines.core import Pipeline
from pipelines.settings import ConfigurationError, Settings
from reports.alerts import MailServer
from tests.conftest import installation, run_landed
from tests.test_bad_input import tree_bytes
from tests.mail_server import MailCatcher, free_port
from tests.test_landing import INCOMPLETE_AR_03, drop

UI = "http://barometer.provincie.example:3000"
MONTHLY_WITH_FILES = {"werkzoekendengraad", "onem_unemployment_rate", "onem_unemployed"}


@pytest.mark.slow  # a landing run of its own: the fast lane keeps one end-to-end run
def test_a_failed_run_is_mailed_with_its_file_rule_rows_and_a_link_to_the_run(office):
    before = tree_bytes(office.current)
    with MailCatcher() as mail:
        settings = office.but(mail=mail.server, ui_url=UI)
        drop(settings, INCOMPLETE_AR_03)
        _, outcome, _ = run_landed(settings)
        [message] = mail.messages

    assert not outcome.success and tree_bytes(office.current) == before
    assert message["To"] == "planning@provincie.example, data@provincie.example"
    assert message["Subject"].startswith("[armoedebarometer] run of barometer_all failed: the file ")
    assert message["Subject"].endswith("-synthetic_GSM_Extract_AR_03.xlsx")
    body = message.get_content()
    assert "validation of raw_gsm_ar_03 failed" in body
    assert "synthetic_GSM_Extract_AR_03.xlsx: rule 'complete-coverage'" in body
    assert "failed for 33 row(s)" in body
    assert "expected (nis_code=71017, measure=kansarmoede_index, period=2024)" in body
    assert f"Run in the Dagster UI: {UI}/runs/{outcome.run_id}" in body
    assert f"Published release (unchanged): {office.current.resolve()}" in body


def overdue_sensor(settings: Settings, today: dt.date):
    return alert_sensors(Pipeline(settings), today=lambda: today)[1]


def test_a_source_that_becomes_overdue_is_mailed_once(tmp_path):
    with MailCatcher() as mail:
        settings = installation(tmp_path, mail=mail.server, ui_url=UI)
        # the embedded monthly files were obtained on 2026-11-27: fresh for 35 days, to 2027-01-01
        on_time = overdue_sensor(settings, dt.date(2027, 1, 1)).evaluate_tick(build_sensor_context())
        assert mail.messages == []
        sensor = overdue_sensor(settings, dt.date(2027, 3, 1))
        first = sensor.evaluate_tick(build_sensor_context(cursor=on_time.cursor))
        mailed = mail.messages
        again = sensor.evaluate_tick(build_sensor_context(cursor=first.cursor))
        assert len(mail.messages) == len(mailed)      # the next tick does not mail the same files again

    assert {m["Subject"] for m in mailed} == {
        f"[armoedebarometer] source {source} is overdue (newest file obtained 2026-11-27)"
        for source in MONTHLY_WITH_FILES}
    [werkzoekenden] = [m.get_content() for m in mailed if "werkzoekendengraad" in m["Subject"]]
    assert "Newest file: limburg_werkzoekendengraad.csv (snapshot 2026-11-27, obtained 2026-11-27)" in werkzoekenden
    assert ("Rule: a monthly source is overdue 35 days after its file was obtained; this one was due by "
            "2027-01-01, 59 days ago.") in werkzoekenden
    assert f"drop it in {settings.landing}" in werkzoekenden
    assert f"{UI}/assets/raw_werkzoekendengraad" in werkzoekenden
    assert "3 source(s) overdue" in again.skip_message


def test_without_a_mail_server_nothing_is_sent_and_the_sensor_says_so(tmp_path):
    settings = Settings.from_env({}, root=tmp_path)
    assert settings.mail is None
    tick = overdue_sensor(settings, dt.date(2027, 3, 1)).evaluate_tick(build_sensor_context())
    assert "3 source(s) overdue; e-mail alerts are off (no BAROMETER_SMTP_HOST)" in tick.skip_message


def test_the_mail_server_is_read_from_the_environment(tmp_path):
    server = Settings.from_env({"BAROMETER_SMTP_HOST": "smtp.provincie.example", "BAROMETER_SMTP_PORT": "587",
                                "BAROMETER_SMTP_SENDER": "barometer@provincie.example",
                                "BAROMETER_SMTP_RECIPIENTS": "a@provincie.example, b@provincie.example",
                                "BAROMETER_SMTP_USER": "barometer", "BAROMETER_SMTP_PASSWORD": "s3cret",
                                "BAROMETER_SMTP_STARTTLS": "yes"}, root=tmp_path).mail
    assert server == MailServer("smtp.provincie.example", 587, "barometer@provincie.example",
                                ("a@provincie.example", "b@provincie.example"), "barometer", "s3cret", True)
    assert "s3cret" not in repr(server)
    with pytest.raises(ConfigurationError, match="BAROMETER_SMTP_RECIPIENTS"):
        Settings.from_env({"BAROMETER_SMTP_HOST": "smtp.provincie.example"}, root=tmp_path)


@pytest.mark.slow
@pytest.mark.reliability("server", "mail server down when a run fails", "the failure logged, the run decided as before")
def test_a_mail_server_that_is_down_is_logged_and_the_run_is_decided_as_before(office, capfd):
    down = MailServer("127.0.0.1", free_port(), "barometer@provincie.example", ("planning@provincie.example",))
    settings = office.but(mail=down)
    drop(settings, INCOMPLETE_AR_03)
    _, outcome, _ = run_landed(settings)

    assert not outcome.success
    [rejected] = (office.landing / "rejected").glob("*.reason.txt")
    assert "rule 'complete-coverage'" in rejected.read_text(encoding="utf-8")
    assert f"ERROR - alert not sent to 127.0.0.1:{down.port}: [Errno 111] Connection refused" in capfd.readouterr().err
