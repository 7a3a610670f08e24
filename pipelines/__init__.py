"""Dagster wiring: assets, checks, jobs, schedules and sensors around sources/, models/ and reports/."""
