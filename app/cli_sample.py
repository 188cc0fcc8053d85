"""`flask --app wsgi load-sample`: demo organisations and frameworks of an origin and a destination country."""
import json
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from config import PROJECT_ROOT

SAMPLE_DIR = PROJECT_ROOT / "sample"
DEMO_CLIENT_NAME = "demo client (load-sample)"


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    country: str
    kind: str


@dataclass(frozen=True)
class DemoFramework:
    file: str
    code: str
    title: str
    country: str
    version: str
    languages: tuple
    owner: DemoOrganization


TESDA = DemoOrganization("TESDA (demo)", "PH", "certification_body")
PH_AUTHORITY = DemoOrganization("Philippine Qualifications Framework Council (demo)", "PH", "recognition_authority")
ACTVET = DemoOrganization("ACTVET Abu Dhabi (demo)", "AE", "certification_body")
AE_AUTHORITY = DemoOrganization("UAE National Qualifications Centre (demo)", "AE", "recognition_authority")
ORGANIZATIONS = (TESDA, PH_AUTHORITY, ACTVET, AE_AUTHORITY)

FRAMEWORKS = (
    DemoFramework("ph-tesda-training-regulations.csv", "TESDA-TR-DEMO", "TESDA Training Regulations (demo)",
                  "PH", "2024", ("en", "ar"), TESDA),
    DemoFramework("ae-national-occupational-standards.csv", "AE-NOS-DEMO",
                  "UAE National Occupational Standards (demo)", "AE", "2024", ("en", "ar"), ACTVET),
)


@click.command("load-sample")
@with_appcontext
def load_sample():
    """Load the demo data (idempotent) and print demo credentials as JSON; earlier demo secrets stop working."""
    from app.cli import command_session
    from app.importers.csv_template import read_csv_template
    from app.services.access import Principal
    from app.services.imports import apply_bundle
    from app.services.organizations import bootstrap_admin

    with command_session() as session:
        admin_client, admin_secret = bootstrap_admin(session)
        admin = Principal(client_id=admin_client.client_id, role="admin")
        organizations = {demo: _demo_organization(session, admin, demo) for demo in ORGANIZATIONS}
        frameworks = []
        for demo in FRAMEWORKS:
            bundle = read_csv_template(SAMPLE_DIR / demo.file, demo.code, demo.title, demo.country, demo.version,
                                       list(demo.languages))
            summary = apply_bundle(session, organizations[demo.owner].id, bundle, publish=True)
            frameworks.append({"code": demo.code, "country": demo.country, "framework_id": str(summary.framework_id),
                               "owner": demo.owner.name, "standards": summary.standards.as_dict(),
                               "skills": summary.skills.as_dict()})
        clients = [{**_organization_body(org), **_fresh_client(session, admin, org)} for org in organizations.values()]
        output = {
            "admin": {"client_id": admin_client.client_id, "client_secret": admin_secret},
            "organizations": clients,
            "frameworks": frameworks,
            "token_hint": (f"curl -s -X POST {current_app.config['PUBLIC_BASE_URL']}/api/v1/auth/token "
                           f"-d grant_type=client_credentials -d client_id={admin_client.client_id} "
                           f"-d client_secret={admin_secret}"),
        }
    click.echo(json.dumps(output, indent=2, ensure_ascii=False))


def _demo_organization(session, admin, demo):
    """The demo organisation, found by name and country so that a second run creates none."""
    from app.models import Organization
    from app.services.organizations import create_organization

    org = session.scalar(sa.select(Organization).where(Organization.name == demo.name,
                                                       Organization.country == demo.country))
    if org is None:
        org = create_organization(session, admin, {"name": demo.name, "country": demo.country, "kind": demo.kind})
    return org


def _organization_body(org):
    return {"name": org.name, "organization_id": str(org.id), "kind": org.kind, "country": org.country}


def _fresh_client(session, admin, org):
    """A new client for the organisation; the previous demo clients are revoked, as bootstrap-admin rotates its secret.

    Secrets are stored only as hashes, so each run must create a client to have a secret to print.
    """
    from app.models import ApiClient
    from app.services.organizations import create_client, revoke_client

    earlier = session.scalars(sa.select(ApiClient.client_id).where(
        ApiClient.organization_id == org.id, ApiClient.name == DEMO_CLIENT_NAME, ApiClient.revoked_at.is_(None))).all()
    for client_id in earlier:
        revoke_client(session, admin, org.id, client_id)
    client, secret = create_client(session, admin, org.id, DEMO_CLIENT_NAME)
    return {"client_id": client.client_id, "client_secret": secret}
