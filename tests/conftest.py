"""Test fixtures: real SQLite and (when TEST_DATABASE_URL is set) real PostgreSQL.

The schema is built once per engine by running the real migrations. Each test runs inside an outer
transaction that is rolled back at the end; the code under test may commit, which only releases a
savepoint (join_transaction_mode="create_savepoint").
"""
import os
import uuid

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


def private_schema_url(url):
    """A schema of its own for this test run, so parallel runs on one database never collide."""
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(url, schema):
    admin = create_engine(url, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def fresh_database_url(name, tmp_path_factory):
    """URL of an empty database: a new SQLite file, or a new schema on TEST_DATABASE_URL.

    Returns (url, cleanup)."""
    if name == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        return f"sqlite:///{path}", lambda: None
    base = postgres_url()
    try:
        schema, url = private_schema_url(base)
    except sa.exc.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return url, lambda: drop_schema(base, schema)


@pytest.fixture(scope="session", params=engine_names())
def database(request, tmp_path_factory):
    """(url, engine) of a database migrated by the real migrations, once per engine for the whole run."""
    url, cleanup = fresh_database_url(request.param, tmp_path_factory)
    command.upgrade(alembic_config(url), "heads")
    engine = create_engine(url, pool_size=2, max_overflow=2) if not url.startswith("sqlite") else create_engine(url)
    yield url, engine
    engine.dispose()
    cleanup()


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

