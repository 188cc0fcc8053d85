"""`flask --app wsgi import ...`: bulk loading with a progress bar and a summary."""
import json
import sys

import click
from flask.cli import AppGroup
from tqdm import tqdm

from app.errors import RegistryError

ESCO_PUBLISHER = ("European Commission (ESCO)", "EU", "recognition_authority")
ONET_PUBLISHER = ("U.S. Department of Labor, ETA (O*NET)", "US", "recognition_authority")


def run_import(read_bundle, organization_id, default_publisher, publish=True, allow_rejects=False):
    """Read a bundle, apply it in one transaction, print the summary; exit 1 when it is refused."""
    from app.cli import command_session
    from app.services.imports import apply_bundle
    from app.services.publishers import resolve_publisher

    bars = {}

    def progress(stage, count):
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(desc=f"{stage:>13}", unit=" rows", file=sys.stderr)
        bar.update(count)

    try:
        try:
            with command_session() as session:
                click.echo("reading source files...", err=True)
                bundle = read_bundle()
                org = resolve_publisher(session, organization_id, *(default_publisher or ()))
                summary = apply_bundle(session, org.id, bundle, publish=publish, allow_rejects=allow_rejects,
                                       progress=progress)
                organization = str(org.id)
        finally:
            for bar in bars.values():
                bar.close()
    except RegistryError as exc:
        body = {"status": "refused", "detail": exc.detail, "nothing_written": True}
        for name in ("file", "row", "reason"):
            if getattr(exc, name, None) is not None:
                body[name] = getattr(exc, name)
        if "rejected" in exc.extra:
            body["rejected"] = exc.extra["rejected"]
        click.echo(json.dumps(body, indent=2, default=str))
        raise SystemExit(1)
    click.echo(json.dumps({"status": "imported", "organization_id": organization, **summary.as_dict()},
                          indent=2, default=str))
    return summary


organization_option = click.option(
    "--organization", "organization_id", default=None,
    help="UUID of the publishing organisation (default: one found or created for the source)")
allow_rejects_option = click.option(
    "--allow-rejects", is_flag=True, help="import the valid rows even when some rows are rejected")


# An AppGroup pushes the app context for every subcommand, under `flask` and test_cli_runner alike.
@click.group("import", cls=AppGroup)
def import_group():
    """Bulk-load frameworks of standards (esco, onet, case, csv) and classification crosswalks."""


@import_group.command("esco")
@click.option("--classification", type=click.Path(exists=True, dir_okay=False), required=True,
              help="'ESCO dataset - v1.1.0 - classification - en - csv.zip' as published")
@click.option("--relations", type=click.Path(exists=True, dir_okay=False), required=True,
              help="'ESCO dataset - v1.1.0 - classification - relations - csv.zip' as published")
@organization_option
@allow_rejects_option
def import_esco(classification, relations, organization_id, allow_rejects):
    """Import ESCO occupations (standards), skills and occupation-skill links from the two zips."""
    from app.importers.esco import read_esco

    run_import(lambda: read_esco(classification, relations), organization_id, ESCO_PUBLISHER,
               allow_rejects=allow_rejects)


@import_group.command("onet")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@organization_option
@allow_rejects_option
def import_onet(directory, organization_id, allow_rejects):
    """Import O*NET occupations with their task statements as skill maps and Job Zones as levels."""
    from app.importers.onet import read_onet

    run_import(lambda: read_onet(directory), organization_id, ONET_PUBLISHER, allow_rejects=allow_rejects)


@import_group.command("case")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@organization_option
@click.option("--country", default=None, help="ISO 3166-1 country of the framework if the package does not say")
@click.option("--draft", is_flag=True, help="import standards as drafts instead of published")
@allow_rejects_option
def import_case(file, organization_id, country, draft, allow_rejects):
    """Import a CASE 1.0 CFPackage (JSON)."""
    from app.importers.case import read_case_file

    if organization_id is None:
        raise click.UsageError("--organization is required for a CASE package (its publisher)")
    run_import(lambda: read_case_file(file, default_country=country), organization_id, None,
               publish=not draft, allow_rejects=allow_rejects)


@import_group.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--framework-code", required=True, help="code of the framework the file's standards belong to")
@click.option("--framework-title", required=True, help="title of the framework")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 country of the framework, e.g. PH")
@click.option("--version", "framework_version", required=True, help="version of the framework, e.g. 2024")
@click.option("--languages", default=None,
              help="comma-separated BCP 47 tags, e.g. en,ar; the first is the language of the columns without a "
                   "language suffix (default: en, plus each language the column names carry)")
@organization_option
@click.option("--draft", is_flag=True, help="import standards as drafts instead of published")
@allow_rejects_option
def import_csv(file, framework_code, framework_title, country, framework_version, languages, organization_id,
               draft, allow_rejects):
    """Import a national standards body's CSV template (docs/csv-template.md)."""
    from app.importers.csv_template import read_csv_template

    language_list = [tag.strip() for tag in languages.split(",") if tag.strip()] if languages else None
    # Keyed on the framework code and country, so every import of the same framework finds the same owner.
    publisher = (f"{framework_code} publisher ({country})", country, "certification_body")
    run_import(lambda: read_csv_template(file, framework_code, framework_title, country, framework_version,
                                         language_list),
               organization_id, publisher, publish=not draft, allow_rejects=allow_rejects)


@import_group.command("crosswalk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "from_system", required=True, help="classification of the first column, e.g. isco08")
@click.option("--to", "to_system", required=True, help="classification it maps to, e.g. soc2010")
@click.option("--from-column", default=None, help="column of the --from codes (default: <from>_code, else <from>)")
@click.option("--to-column", default=None, help="column of the --to codes (default: <to>_code, else <to>)")
def import_crosswalk(file, from_system, to_system, from_column, to_column):
    """Import a classification crosswalk CSV (e.g. BLS ISCO-08 to SOC 2010); it replaces that pair's table."""
    from app.cli import command_session
    from app.importers.crosswalk import read_crosswalk
    from app.services.crosswalks import import_crosswalk as apply_crosswalk

    bar = tqdm(desc=f"{'pairs':>13}", unit=" rows", file=sys.stderr)
    try:
        try:
            with command_session() as session:
                records = read_crosswalk(file, from_system, to_system, from_column, to_column)
                summary = apply_crosswalk(session, from_system, to_system, records,
                                          progress=lambda _stage, count: bar.update(count))
        finally:
            bar.close()
    except RegistryError as exc:
        body = {"status": "refused", "detail": exc.detail, "nothing_written": True}
        for name in ("file", "row", "reason"):
            if getattr(exc, name, None) is not None:
                body[name] = getattr(exc, name)
        click.echo(json.dumps(body, indent=2, default=str))
        raise SystemExit(1)
    click.echo(json.dumps({"status": "imported", **summary.as_dict()}, indent=2))


@import_group.command("sssom")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--organization", "organization_id", required=True, type=click.UUID,
              help="UUID of the importing recognition authority (the author of the mappings)")
@allow_rejects_option
def import_sssom(file, organization_id, allow_rejects):
    """Import an SSSOM/TSV file's rows as mappings of a recognition authority (candidates or new revisions)."""
    from pathlib import Path

    from flask import current_app

    from app.cli import command_session
    from app.models import Organization
    from app.services.access import Principal
    from app.services.sssom import import_tsv

    try:
        with command_session() as session:
            organization = session.get(Organization, organization_id)
            if organization is None:
                raise click.UsageError(f"no organisation {organization_id}")
            # The command acts as the organisation itself, with the same role checks as its API clients.
            principal = Principal(client_id="cli", role="organization", organization_id=organization.id,
                                  organization_kind=organization.kind)
            try:
                text = Path(file).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise click.UsageError(f"{file} is not UTF-8, as SSSOM/TSV files must be") from None
            summary = import_tsv(session, principal, text, current_app.config["PUBLIC_BASE_URL"],
                                 allow_rejects=allow_rejects, source=Path(file).name)
    except RegistryError as exc:
        body = {"status": "refused", "detail": exc.detail, "nothing_written": True}
        for name in ("file", "row", "reason"):
            if getattr(exc, name, None) is not None:
                body[name] = getattr(exc, name)
        if "rejected" in exc.extra:
            body["rejected"] = exc.extra["rejected"]
        click.echo(json.dumps(body, indent=2, default=str))
        raise SystemExit(1)
    click.echo(json.dumps({"status": "imported", "organization_id": str(organization_id), **summary}, indent=2,
                          default=str))
