"""Test fixtures: real SQLite and (when TEST_DATABASE_URL is set) real PostgreSQL.

The schema is built once per engine by running the real migrations. Each test runs inside an outer
transaction that is rolled back at the end; the code under test may commit, which only releases a
savepoint (join_transaction_mode="create_savepoint").
"""
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app import create_app
from app.db import create_engine
from config import PROJECT_ROOT
from tests.factories import ApiDriver

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
TEST_BASE_URL = "http://registry.test"


def engine_names():
    return ["sqlite", "postgresql"]


def postgres_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return url


def alembic_config(url, connection=None):
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def reset_postgres(engine):
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


def migrated_engine(name, tmp_path_factory):
    if name == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        url = f"sqlite:///{path}"
        engine = create_engine(url)
    else:
        url = postgres_url()
        engine = create_engine(url, pool_size=2, max_overflow=2)
        try:
            reset_postgres(engine)
        except sa.exc.OperationalError as exc:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
    command.upgrade(alembic_config(url), "head")
    return url, engine


@pytest.fixture(scope="session", params=engine_names())
def database(request, tmp_path_factory):
    """(url, engine) of a migrated database, once per engine for the whole run."""
    url, engine = migrated_engine(request.param, tmp_path_factory)
    yield url, engine
    engine.dispose()


@pytest.fixture()
def connection(database):
    _url, engine = database
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture()
def app(connection):
    app = create_app("testing", {"DB_CONNECTION": connection, "PUBLIC_BASE_URL": TEST_BASE_URL})
    yield app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def session(app):
    """A session on the test transaction, for arranging data and checking what was written."""
    s = app.extensions["registry"].sessionmaker()
    yield s
    s.close()


@pytest.fixture()
def api(app, client):
    return ApiDriver(app, client)


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data; absent outside this workplace, in which case data tests are skipped (never in CI)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing: CI must run the real-data tests")
        pytest.skip(f"real data folder {SHARED_DATA} not found next to the checkout")
    return SHARED_DATA


def pytest_collection_modifyitems(config, items):
    # Tests that need no database run once, not once per engine.
    pass
