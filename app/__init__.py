"""The application factory: create_app() assembles the registry in named steps."""
import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, g

from config import PROJECT_ROOT, load_config


@dataclass
class RegistryContext:
    """What every request and command shares: the database, key encryption and the token authority."""

    engine: object
    sessionmaker: object
    key_encryption: object
    token_authority: object
    migration_heads: tuple


def create_app(config_name=None, overrides=None):
    config = load_config(config_name)
    app = Flask(__name__, instance_path=str(Path(os.environ.get("REGISTRY_INSTANCE_DIR", PROJECT_ROOT / "instance"))))
    app.config.from_object(config)
    app.config.update(overrides or {})
    config.validate(app.config)
    from app.json_provider import RegistryJSONProvider

    app.json = RegistryJSONProvider(app)
    register_logging(app)
    register_extensions(app)
    register_request_lifecycle(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_logging(app):
    from app.logging_setup import configure_logging

    configure_logging(app)


def register_extensions(app):
    from app.crypto.keys import KeyEncryption
    from app.db import create_engine, make_sessionmaker
    from app.services.auth import AccessTokenAuthority

    connection = app.config.get("DB_CONNECTION")  # tests bind every session to one outer transaction
    if connection is not None:
        engine = connection.engine
        sessionmaker = make_sessionmaker(connection)
        sessionmaker.configure(join_transaction_mode="create_savepoint")
    else:
        url = app.config["DATABASE_URL"]
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        sessionmaker = make_sessionmaker(engine)
    key_encryption = KeyEncryption(_key_encryption_keys(app))
    base = app.config["PUBLIC_BASE_URL"]
    authority = AccessTokenAuthority(key_encryption, issuer=base, audience=f"{base}/api/v1",
                                     ttl_seconds=app.config["ACCESS_TOKEN_TTL_SECONDS"])
    app.extensions["registry"] = RegistryContext(engine, sessionmaker, key_encryption, authority, _migration_heads())


def _key_encryption_keys(app):
    from app.crypto.keys import KeyEncryption

    configured = [k.strip() for k in (app.config.get("KEY_ENCRYPTION_KEYS") or "").split(",") if k.strip()]
    if configured:
        return configured
    if app.config.get("TESTING"):
        return [KeyEncryption.generate_key()]
    # Development only (production refuses to start without KEY_ENCRYPTION_KEYS).
    path = Path(app.config["KEY_ENCRYPTION_KEY_FILE"])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(KeyEncryption.generate_key())
    return [path.read_text().strip()]


def _migration_heads():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return tuple(ScriptDirectory.from_config(config).get_heads())


def register_request_lifecycle(app):
    @app.after_request
    def _commit_or_roll_back(response):
        session = g.get("db_session")
        if session is not None:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        return response

    @app.teardown_request
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def register_blueprints(app):
    from app.api import register_blueprints as register

    register(app)


def register_errors(app):
    from app.api.errors import register_error_handlers

    register_error_handlers(app)


def register_cli(app):
    from app.cli import register_commands

    register_commands(app)
