"""What went wrong in a run, read back from the instance's event log: failed checks and failed steps."""
from dagster import DagsterEventType, DagsterInstance


def run_problems(instance: DagsterInstance, run_id: str) -> list[str]:
    """Failed validation checks (file, rule, rows) and failed steps (their innermost error) of a run."""
    problems = []
    for entry in instance.all_logs(run_id, of_type={DagsterEventType.ASSET_CHECK_EVALUATION,
                                                    DagsterEventType.STEP_FAILURE}):
        event = entry.dagster_event
        data = event.event_specific_data
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION and not data.passed:
            problems.append(f"validation of {data.asset_key.to_user_string()} failed:\n{data.description}")
        elif event.event_type == DagsterEventType.STEP_FAILURE and \
                "DagsterAssetCheckFailedError" not in data.error.cls_name:
            problems.append(f"step {event.step_key} failed: {_root_cause(data.error)}")
    return problems


def refused_a_file(instance: DagsterInstance, run_id: str) -> bool:
    """Whether a step of the run failed on a source file (a file error: a tampered snapshot, a file that
    does not parse), as opposed to a failed rule or a defect."""
    return any(_innermost(entry.dagster_event.event_specific_data.error).cls_name == "SourceFileError"
               for entry in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE))


def judged_the_data(instance: DagsterInstance, run_id: str) -> bool:
    """Whether the run failed on what its files hold (a failed check, a file refused), as opposed to a fault
    outside them: the run database lost mid-run, a killed run worker, a defect."""
    return refused_a_file(instance, run_id) or any(
        not entry.dagster_event.event_specific_data.passed
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION))


def _innermost(error):
    # Dagster wraps the exception raised in a step; the innermost one says what was wrong with the data
    while error.cause is not None:
        error = error.cause
    return error


def _root_cause(error) -> str:
    error = _innermost(error)
    # the message of a serialised error starts with the exception's qualified name
    message = error.message.strip()
    return message.split(": ", 1)[1] if message.split(": ", 1)[0].endswith(error.cls_name) else message
