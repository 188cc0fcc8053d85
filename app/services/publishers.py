"""The organisation that owns an imported framework when the operator names none."""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import Organization
from app.services.organizations import _unique_slug
from app.services.standards import PUBLISHER_KINDS


def resolve_publisher(session: Session, organization_id: str | None, default_name: str | None = None,
                      default_country: str | None = None, default_kind: str = "certification_body") -> Organization:
    """The named organisation, or the default publisher (found by name and country, else created)."""
    if organization_id:
        try:
            org = session.get(Organization, uuid.UUID(organization_id))
        except ValueError:
            raise InvalidInput(f"--organization {organization_id!r} is not a UUID") from None
        if org is None:
            raise NotFound(f"organization {organization_id} not found")
        if org.kind not in PUBLISHER_KINDS:
            raise InvalidInput(f"organization {org.name} is a {org.kind}; frameworks belong to a certification "
                               "body or recognition authority")
        return org
    if default_name is None:
        raise InvalidInput("name the publishing organisation with --organization")
    org = session.scalar(sa.select(Organization).where(
        Organization.name == default_name, Organization.country == default_country))
    if org is None:
        org = Organization(name=default_name, country=default_country, kind=default_kind,
                           slug=_unique_slug(session, default_name))
        session.add(org)
        session.flush()
    return org
