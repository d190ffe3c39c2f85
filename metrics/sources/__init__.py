"""Sources: numbers that flow in by themselves (issue 21).

A source is a spreadsheet URL, a SQL query against the company's warehouse, or a signed
webhook. Every run turns what it got into a long or wide table (bytes a spreadsheet reader
understands), maps its column and KPI names (``DataSource.mapping``), and imports it as an
ImportBatch through the one writer, ``metrics.measurements.measurements_bulk_upsert``:
all or nothing, and the same data again changes nothing.

models (DataSource, SourceRun) ← secrets (Fernet, HMAC) ← fetch (HTTP with an SSRF guard,
SQL read-only) ← services (create, run, due) ← api, views, tasks.
"""
