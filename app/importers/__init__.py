"""Readers for ESCO, O*NET, CASE and the CSV template. They yield plain records (records.py) and
never touch the database: app/services/imports.py applies records in bulk."""
