"""Publisher files: the source catalogue, immutable snapshots with their origin records, and parsers.

Nothing here knows about Dagster; everything returns plain Python or Polars objects.
"""
