"""Equivalence mappings between published standards: create, revise, review, read, equivalents."""
import functools
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import (
    Framework, Mapping, MappingRevision, Organization, SkillMapping, Standard, StandardSkill, StandardVersion,
)
from app.services import agreement_status, coverage
from app.services.access import Principal, require_kind
from app.services.standards import framework_reference

MAPPING_AUTHORITY = "recognition_authority"
DEFAULT_JUSTIFICATION = "semapv:ManualMappingCuration"


# ---------------------------------------------------------------- loading standards

def _published_version(session, standard_id, version_number, field):
    """The public head (or the given published version) of a standard, with its framework."""
    query = (sa.select(StandardVersion, Framework)
             .join(Standard, StandardVersion.standard_id == Standard.id)
             .join(Framework, Standard.framework_id == Framework.id)
             .where(StandardVersion.standard_id == standard_id))
    if version_number is None:
        query = query.where(StandardVersion.is_public_head)
    else:
        query = query.where(StandardVersion.version == version_number)
    row = session.execute(query).first()
    if row is None or row[0].status == "draft":
        what = f"version {version_number} of standard" if version_number else "standard"
        raise InvalidInput(f"{what} {standard_id} is not published",
                           errors={field: ["must name a published standard (version)"]})
    return row[0], row[1]


def _skill_units(session, version_id) -> list[coverage.SkillUnit]:
    links = session.scalars(
        sa.select(StandardSkill).where(StandardSkill.standard_version_id == version_id)
        .order_by(StandardSkill.position))
    return [coverage.SkillUnit(id=str(l.skill.id), code=l.skill.code, uri=l.skill.uri, title=l.skill.title,
                               essential=l.essential) for l in links]


def _skill_links(data, source_units, target_units) -> list[coverage.SkillLink]:
    source_ids = {u.id for u in source_units}
    target_ids = {u.id for u in target_units}
    links, errors, seen = [], {}, set()
    for index, item in enumerate(data or []):
        source_id, target_id = str(item["source_skill_id"]), str(item["target_skill_id"])
        if source_id not in source_ids:
            errors[f"skill_mappings.{index}.source_skill_id"] = ["not a skill unit of the source standard version"]
        if target_id not in target_ids:
            errors[f"skill_mappings.{index}.target_skill_id"] = ["not a skill unit of the target standard version"]
        if (source_id, target_id) in seen:
            errors[f"skill_mappings.{index}"] = ["the same pair of skills appears twice"]
        seen.add((source_id, target_id))
        links.append(coverage.SkillLink(source_id, target_id, item["predicate"], item.get("predicate_modifier")))
    if errors:
        raise InvalidInput("the skill mappings name skills outside the two skill maps", errors=errors)
    return links


# ---------------------------------------------------------------- writing

def create_mapping(session: Session, principal: Principal | None, data: dict) -> MappingRevision:
    principal = require_kind(principal, MAPPING_AUTHORITY)
    source, source_framework = _published_version(session, data["source_standard_id"], data.get("source_version"),
                                                  "source_standard_id")
    target, target_framework = _published_version(session, data["target_standard_id"], data.get("target_version"),
                                                  "target_standard_id")
    if source.standard_id == target.standard_id:
        raise InvalidInput("a standard cannot be mapped to itself",
                           errors={"target_standard_id": ["must differ from source_standard_id"]})
    existing = session.scalar(sa.select(Mapping).where(
        Mapping.source_standard_id == source.standard_id, Mapping.target_standard_id == target.standard_id,
        Mapping.author_organization_id == principal.organization_id))
    if existing is not None:
        raise Conflict("your organisation already maps these two standards; revise that mapping instead",
                       existing_id=str(existing.id))
    mapping = Mapping(source_standard_id=source.standard_id, target_standard_id=target.standard_id,
                      author_organization_id=principal.organization_id)
    session.add(mapping)
    session.flush()
    return _write_revision(session, principal, mapping, 1, source, target, data)


def revise_mapping(session: Session, principal: Principal | None, mapping_id: uuid.UUID, data: dict) -> MappingRevision:
    """A change is a new candidate revision; the one it supersedes is deprecated and stays readable."""
    principal = require_kind(principal, MAPPING_AUTHORITY)
    mapping = _get_mapping(session, mapping_id)
    if mapping.author_organization_id != principal.organization_id:
        raise Forbidden("only the authoring recognition authority revises a mapping")
    current = _current_revision(session, mapping.id)
    merged = {
        "predicate": current.predicate, "predicate_modifier": current.predicate_modifier,
        "confidence": current.confidence, "justification": current.justification, "comment": current.comment,
        "author_label": current.author_label,
        "skill_mappings": [{"source_skill_id": s.source_skill_id, "target_skill_id": s.target_skill_id,
                            "predicate": s.predicate, "predicate_modifier": s.predicate_modifier}
                           for s in current.skill_mappings],
        **data,
    }
    # The revision stays pinned to the same versions unless it names newer ones.
    source = session.get(StandardVersion, current.source_version_id)
    if data.get("source_version"):
        source = _published_version(session, mapping.source_standard_id, data["source_version"], "source_version")[0]
    target = session.get(StandardVersion, current.target_version_id)
    if data.get("target_version"):
        target = _published_version(session, mapping.target_standard_id, data["target_version"], "target_version")[0]
    current.is_current = False
    current.status = "deprecated"
    current.deprecated_at = utcnow()
    session.flush()
    return _write_revision(session, principal, mapping, current.revision + 1, source, target, merged)


def _write_revision(session, principal, mapping, number, source, target, data) -> MappingRevision:
    source_units = _skill_units(session, source.id)
    target_units = _skill_units(session, target.id)
    links = _skill_links(data.get("skill_mappings"), source_units, target_units)
    author = session.get(Organization, principal.organization_id)
    revision = MappingRevision(
        mapping_id=mapping.id, revision=number, is_current=True, status="candidate",
        source_standard_id=mapping.source_standard_id, target_standard_id=mapping.target_standard_id,
        source_version_id=source.id, target_version_id=target.id,
        predicate=data["predicate"], predicate_modifier=data.get("predicate_modifier"),
        confidence=data.get("confidence"), justification=data.get("justification") or DEFAULT_JUSTIFICATION,
        comment=data.get("comment"), author_organization_id=principal.organization_id,
        author_label=data.get("author_label") or author.name,
        coverage=coverage.compute_coverage(source_units, target_units, links),
        reverse_coverage=coverage.compute_coverage(target_units, source_units, coverage.reversed_links(links)),
    )
    revision.skill_mappings = [
        SkillMapping(position=i, source_skill_id=uuid.UUID(l.source_id), target_skill_id=uuid.UUID(l.target_id),
                     predicate=l.predicate, predicate_modifier=l.modifier)
        for i, l in enumerate(links)
    ]
    session.add(revision)
    session.flush()
    return revision


def review_mapping(session: Session, principal: Principal | None, mapping_id: uuid.UUID, data: dict) -> MappingRevision:
    """Validate or reject the current candidate revision (a recognition authority's explicit act)."""
    principal = require_kind(principal, MAPPING_AUTHORITY)
    mapping = _get_mapping(session, mapping_id)
    current = _current_revision(session, mapping.id)
    if current.status != "candidate":
        raise Conflict(f"revision {current.revision} is already {current.status}; revise the mapping to review again")
    reviewer = session.get(Organization, principal.organization_id)
    current.status = data["decision"]
    current.reviewer_organization_id = reviewer.id
    current.reviewer_label = data.get("reviewer_label") or reviewer.name
    current.review_comment = data.get("comment")
    current.reviewed_at = utcnow()
    session.flush()
    return current


# ---------------------------------------------------------------- reading

def _get_mapping(session, mapping_id) -> Mapping:
    mapping = session.get(Mapping, mapping_id)
    if mapping is None:
        raise NotFound(f"mapping {mapping_id} not found")
    return mapping


def _current_revision(session, mapping_id) -> MappingRevision:
    return session.scalar(sa.select(MappingRevision).where(
        MappingRevision.mapping_id == mapping_id, MappingRevision.is_current))


def get_mapping(session: Session, mapping_id: uuid.UUID, revision: int | None = None):
    """(mapping, the revision asked for or the current one, every revision's number and status)."""
    mapping = _get_mapping(session, mapping_id)
    revisions = session.scalars(
        sa.select(MappingRevision).where(MappingRevision.mapping_id == mapping.id)
        .options(selectinload(MappingRevision.skill_mappings)).order_by(MappingRevision.revision)).all()
    chosen = next((r for r in revisions if (r.revision == revision if revision else r.is_current)), None)
    if chosen is None:
        raise NotFound(f"revision {revision} of mapping {mapping_id} not found")
    return mapping, chosen, revisions


def list_mappings(session: Session, filters: dict, page: int, per_page: int):
    query = sa.select(MappingRevision).where(MappingRevision.is_current)
    for name in ("source_standard_id", "target_standard_id", "status", "author_organization_id"):
        if filters.get(name):
            query = query.where(getattr(MappingRevision, name) == filters[name])
    if filters.get("standard_id"):
        query = query.where(sa.or_(MappingRevision.source_standard_id == filters["standard_id"],
                                   MappingRevision.target_standard_id == filters["standard_id"]))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(MappingRevision.created_at, MappingRevision.id)
                            .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def equivalents(session: Session, standard_id: uuid.UUID, filters: dict) -> list[dict]:
    """What `standard_id` is worth elsewhere: each mapped standard, read from this standard's side.

    Both directions count: where this standard is the target, the predicate is read backwards
    (a broadMatch becomes a narrowMatch) and the coverage is the reverse one, so `coverage` always
    says what a holder of this standard has of the other standard's skill map.
    """
    statuses = tuple(filters.get("statuses") or ("validated",))
    params = {"standard_id": standard_id, "statuses": list(statuses)}
    if filters.get("country"):
        params["country"] = filters["country"]
    if filters.get("framework"):
        params.update(framework_reference(filters["framework"]))
    framework_filter = "id" if "framework_id" in params else "code" if "framework_code" in params else None
    statement = _equivalents_statement("country" in params, framework_filter)
    rows = session.execute(statement, params).mappings().all()
    if not rows and session.scalar(sa.select(Standard.id).where(Standard.id == standard_id)) is None:
        raise NotFound(f"standard {standard_id} not found")
    agreements = agreement_status.active_agreements_by_revision(session, [row["revision_id"] for row in rows])
    results = [_equivalent(row, agreements.get(row["revision_id"], [])) for row in rows]
    results.sort(key=lambda e: (-e["coverage"]["essential_ratio"], e["standard"]["code"]))
    return results


@functools.lru_cache(maxsize=16)
def _equivalents_statement(by_country: bool, framework_filter: str | None):
    """Both directions in one UNION ALL of plain columns, built once per filter shape.

    Loading revisions as ORM objects cost 9 ms for 20 equivalents; this costs about 1.
    """
    mr = MappingRevision
    sides = []
    for forward in (True, False):
        own = mr.source_standard_id if forward else mr.target_standard_id
        other_version = mr.target_version_id if forward else mr.source_version_id
        query = (
            sa.select(sa.literal(forward).label("forward"), mr.id.label("revision_id"), mr.mapping_id, mr.revision,
                      mr.status, mr.predicate,
                      mr.predicate_modifier, mr.confidence, mr.justification, mr.author_label, mr.reviewer_label,
                      mr.reviewed_at, (mr.coverage if forward else mr.reverse_coverage).label("coverage"),
                      StandardVersion.standard_id, StandardVersion.version, StandardVersion.title,
                      StandardVersion.isco08, StandardVersion.status.label("standard_status"), Standard.code,
                      Framework.id.label("framework_id"), Framework.code.label("framework_code"),
                      Framework.title.label("framework_title"), Framework.country,
                      Framework.version.label("framework_version"))
            .select_from(mr)
            .join(StandardVersion, StandardVersion.id == other_version)
            .join(Standard, Standard.id == StandardVersion.standard_id)
            .join(Framework, Framework.id == Standard.framework_id)
            .where(own == sa.bindparam("standard_id", type_=sa.Uuid), mr.is_current,
                   mr.status.in_(sa.bindparam("statuses", expanding=True)))
        )
        if by_country:
            query = query.where(Framework.country == sa.bindparam("country"))
        if framework_filter == "id":
            query = query.where(Framework.id == sa.bindparam("framework_id", type_=sa.Uuid))
        elif framework_filter == "code":
            query = query.where(Framework.code == sa.bindparam("framework_code"))
        sides.append(query)
    return sa.union_all(*sides)


def _equivalent(row, agreements):
    forward = bool(row["forward"])
    # A one-way agreement recognises its mappings from source to target only.
    backing = [a for a in agreements if forward or a.direction == "both"]
    return {
        "standard": {
            "id": row["standard_id"], "code": row["code"], "version": row["version"], "title": row["title"],
            "isco08": row["isco08"], "status": row["standard_status"],
            "framework": {"id": row["framework_id"], "code": row["framework_code"], "title": row["framework_title"],
                          "country": row["country"], "version": row["framework_version"]},
        },
        "direction": "forward" if forward else "inverse",
        "predicate": row["predicate"] if forward else coverage.inverse(row["predicate"]),
        "predicate_modifier": row["predicate_modifier"],
        "confidence": row["confidence"],
        "coverage": row["coverage"],
        "mapping": {
            "id": row["mapping_id"], "revision": row["revision"], "status": row["status"],
            "predicate": row["predicate"], "justification": row["justification"],
            "author": row["author_label"], "reviewer": row["reviewer_label"], "reviewed_at": row["reviewed_at"],
        },
        "agreements": [
            {"id": a.id, "title": a.title, "version": a.version, "direction": a.direction,
             "content_hash": a.content_hash, "valid_until": a.valid_until}
            for a in backing
        ],
        "recognised": bool(backing),
    }
