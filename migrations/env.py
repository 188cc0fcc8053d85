"""Alembic environment: migrates the database that DATABASE_URL names (default: SQLite in instance/)."""
import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context

import app.models  # noqa: F401  registers every table on Base.metadata
from app.db import Base, create_engine
from config import load_config

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# The full-text index is dialect-specific (FTS5 / tsvector) and managed by hand in the migrations.
UNMANAGED_PREFIXES = ("standard_search",)


def include_name(name, type_, parent_names):
    if type_ == "table" and name and name.startswith(UNMANAGED_PREFIXES):
        return False
    return True


def database_url():
    # Tests pass a URL through attributes; otherwise DATABASE_URL (read by the config), or the default.
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL") or load_config().DATABASE_URL
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def run_migrations_offline():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      include_name=include_name, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata, include_name=include_name,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
