"""Business logic: plain functions taking the session, the acting principal and validated data.

Services flush but never commit: the caller (one HTTP request, one CLI command) owns the transaction.
"""
