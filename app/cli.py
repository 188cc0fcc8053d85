"""Admin commands: `flask --app wsgi <command>`."""
import json
from contextlib import contextmanager

import click
from flask import current_app


@contextmanager
def command_session():
    """One transaction for one command: committed at the end, rolled back on any error."""
    session = current_app.extensions["registry"].sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def register_commands(app):
    from app.cli_imports import import_group
    from app.cli_sample import load_sample

    app.cli.add_command(import_group)
    app.cli.add_command(load_sample)

    @app.cli.command("bootstrap-admin")
    def bootstrap_admin():
        """Print the registry-admin client's client_id and client_secret as JSON (created on first use)."""
        from app.services.organizations import bootstrap_admin as create

        with command_session() as session:
            client, secret = create(session)
            output = {"client_id": client.client_id, "client_secret": secret}
        click.echo(json.dumps(output))
