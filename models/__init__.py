"""The models: SQL in DuckDB from raw tables to the barometer, plus the indicator metadata and validation rules."""
