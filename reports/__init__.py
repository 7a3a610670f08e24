"""Publish the barometer: HTML pages, downloads and atomic, checksummed releases."""
