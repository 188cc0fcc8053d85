"""Mapping sets: named, versioned sets of validated mapping revisions between two frameworks.

Each version pins exact mapping revisions and carries `content_hash`, the SHA-256 (lower-case hex)
of the RFC 8785 (JCS) canonical JSON of the version's `content` object, which is stored and served
as written so that anyone can recompute the hash. The content object is:

    {
      "title": str,
      "description": str | null,
      "license": str,                      # the set's licence URL, or CC BY 4.0 when it names none
      "source_framework": {"id": uuid, "code": str, "version": str, "country": str},
      "target_framework": {"id": uuid, "code": str, "version": str, "country": str},
      "mappings": [                        # sorted by mapping id (lower-case hyphenated UUID text)
        {
          "mapping_id": uuid, "revision": int, "revision_id": uuid,
          "source": {"standard_id": uuid, "version": int, "code": str},
          "target": {"standard_id": uuid, "version": int, "code": str},
          "predicate": "skos:...", "predicate_modifier": "Not" | null,
          "confidence": number | null, "justification": "semapv:...", "comment": str | null,
          "author": {"organization_id": uuid, "label": str | null},
          "reviewer": {"organization_id": uuid, "label": str | null},
          "created_at": timestamp, "reviewed_at": timestamp,
          "skill_mappings": [              # in the revision's own order
            {"source_skill_id": uuid, "target_skill_id": uuid, "predicate": "skos:...",
             "predicate_modifier": "Not" | null}
          ]
        }
      ]
    }

UUIDs are lower-case hyphenated strings; timestamps are UTC to the second, "YYYY-MM-DDTHH:MM:SSZ".
Revision status is left out on purpose: only validated revisions are pinned, and a pinned revision
that is later superseded becomes "deprecated" without changing what the set agreed on.
"""
import hashlib
import uuid
from datetime import timezone

import rfc8785
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, defer, selectinload

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Framework, MappingRevision, MappingSet, MappingSetEntry, MappingSetVersion, Standard
from app.services.access import Principal, require_kind
from app.services.mappings import MAPPING_AUTHORITY

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


# ---------------------------------------------------------------- content and hash

def content_hash(content: dict) -> str:
    """SHA-256 hex of the RFC 8785 canonical JSON of a mapping set version's content."""
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def timestamp(value) -> str | None:
    """A datetime as it appears in the content: UTC, whole seconds, 'Z'."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _framework_content(framework: Framework) -> dict:
    return {"id": str(framework.id), "code": framework.code, "version": framework.version,
            "country": framework.country}


def _revision_content(revision: MappingRevision, codes: dict) -> dict:
    return {
        "mapping_id": str(revision.mapping_id), "revision": revision.revision, "revision_id": str(revision.id),
        "source": {"standard_id": str(revision.source_standard_id), "version": revision.source_version.version,
                   "code": codes[revision.source_standard_id]},
        "target": {"standard_id": str(revision.target_standard_id), "version": revision.target_version.version,
                   "code": codes[revision.target_standard_id]},
        "predicate": revision.predicate, "predicate_modifier": revision.predicate_modifier,
        "confidence": revision.confidence, "justification": revision.justification, "comment": revision.comment,
        "author": {"organization_id": str(revision.author_organization_id), "label": revision.author_label},
        "reviewer": {"organization_id": str(revision.reviewer_organization_id) if revision.reviewer_organization_id
                     else None, "label": revision.reviewer_label},
        "created_at": timestamp(revision.created_at), "reviewed_at": timestamp(revision.reviewed_at),
        "skill_mappings": [
            {"source_skill_id": str(s.source_skill_id), "target_skill_id": str(s.target_skill_id),
             "predicate": s.predicate, "predicate_modifier": s.predicate_modifier}
            for s in revision.skill_mappings
        ],
    }


def build_content(session, title, description, license, source, target, revisions) -> dict:
    """The content object of a version (see the module docstring), from the revisions it pins."""
    standard_ids = {r.source_standard_id for r in revisions} | {r.target_standard_id for r in revisions}
    codes = dict(session.execute(sa.select(Standard.id, Standard.code).where(Standard.id.in_(standard_ids))).all())
    ordered = sorted(revisions, key=lambda r: str(r.mapping_id))
    return {
        "title": title, "description": description, "license": license or DEFAULT_LICENSE,
        "source_framework": _framework_content(source), "target_framework": _framework_content(target),
        "mappings": [_revision_content(r, codes) for r in ordered],
    }


# ---------------------------------------------------------------- writing

def _framework(session, framework_id, field) -> Framework:
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise InvalidInput(f"framework {framework_id} not found", errors={field: ["no framework with this id"]})
    return framework


def _pinnable_revisions(session, mapping_ids, source: Framework, target: Framework) -> list[MappingRevision]:
    """The current revisions of `mapping_ids`; every id that cannot be pinned is named by its index."""
    source_standard, target_standard = aliased(Standard), aliased(Standard)
    rows = session.execute(
        sa.select(MappingRevision, source_standard.framework_id, target_standard.framework_id)
        .join(source_standard, source_standard.id == MappingRevision.source_standard_id)
        .join(target_standard, target_standard.id == MappingRevision.target_standard_id)
        .where(MappingRevision.mapping_id.in_(set(mapping_ids)), MappingRevision.is_current)
        .options(selectinload(MappingRevision.skill_mappings))).all()
    found = {revision.mapping_id: (revision, source_fw, target_fw) for revision, source_fw, target_fw in rows}
    framework_ids = {fw for _, source_fw, target_fw in rows for fw in (source_fw, target_fw)}
    names = {fw.id: f"{fw.code} {fw.version}" for fw in session.scalars(
        sa.select(Framework).where(Framework.id.in_(framework_ids)))}
    errors, first_index, revisions = {}, {}, []
    for index, mapping_id in enumerate(mapping_ids):
        field = f"mapping_ids.{index}"
        if mapping_id in first_index:
            errors[field] = [f"repeats mapping_ids.{first_index[mapping_id]}"]
            continue
        first_index[mapping_id] = index
        if mapping_id not in found:
            errors[field] = [f"no mapping with id {mapping_id}"]
            continue
        revision, source_fw, target_fw = found[mapping_id]
        problems = []
        if revision.status != "validated":
            problems.append(f"its current revision {revision.revision} is {revision.status}; "
                            "only validated mappings can be pinned")
        if (source_fw, target_fw) != (source.id, target.id):
            problems.append(f"it maps framework {names[source_fw]} to {names[target_fw]}, "
                            f"not {source.code} {source.version} to {target.code} {target.version}")
        if problems:
            errors[field] = problems
            continue
        revisions.append(revision)
    if errors:
        raise InvalidInput(f"{len(errors)} of the mapping_ids cannot be pinned in this set", errors=errors)
    return revisions


def _write_version(session, mapping_set, number, fields, source, target, revisions) -> MappingSetVersion:
    content = build_content(session, fields["title"], fields["description"], fields["license"], source, target,
                            revisions)
    version = MappingSetVersion(
        mapping_set_id=mapping_set.id, version=number, title=fields["title"], description=fields["description"],
        license=fields["license"], content=content, content_hash=content_hash(content))
    by_mapping = {r.mapping_id: r for r in revisions}
    version.entries = [
        MappingSetEntry(mapping_id=uuid.UUID(item["mapping_id"]), revision_id=by_mapping[uuid.UUID(item["mapping_id"])].id,
                        revision=item["revision"], position=position)
        for position, item in enumerate(content["mappings"])
    ]
    mapping_set.latest_version = number
    session.add(version)
    session.flush()
    return version


def create_mapping_set(session: Session, principal: Principal | None, data: dict) -> MappingSetVersion:
    """Create a set (version 1) pinning the current, validated revisions of `mapping_ids`."""
    principal = require_kind(principal, MAPPING_AUTHORITY)
    source = _framework(session, data["source_framework_id"], "source_framework_id")
    target = _framework(session, data["target_framework_id"], "target_framework_id")
    revisions = _pinnable_revisions(session, data["mapping_ids"], source, target)
    mapping_set = MappingSet(owner_organization_id=principal.organization_id, source_framework_id=source.id,
                             target_framework_id=target.id, latest_version=1)
    session.add(mapping_set)
    session.flush()
    fields = {"title": data["title"], "description": data.get("description"), "license": data.get("license")}
    return _write_version(session, mapping_set, 1, fields, source, target, revisions)


def create_version(session: Session, principal: Principal | None, mapping_set_id: uuid.UUID,
                   data: dict) -> MappingSetVersion:
    """A new version with changed title, description, licence and/or mapping_ids; earlier ones stay readable.

    Without `mapping_ids` the new version keeps the revisions the latest one pinned; with them it
    pins the current (validated) revision of each, so re-listing a revised mapping picks up its new revision.
    """
    principal = require_kind(principal, MAPPING_AUTHORITY)
    mapping_set = _get_set(session, mapping_set_id)
    if mapping_set.owner_organization_id != principal.organization_id:
        raise Forbidden("only the recognition authority that created a mapping set makes new versions of it")
    latest = _get_version(session, mapping_set, mapping_set.latest_version)
    source = session.get(Framework, mapping_set.source_framework_id)
    target = session.get(Framework, mapping_set.target_framework_id)
    if "mapping_ids" in data:
        revisions = _pinnable_revisions(session, data["mapping_ids"], source, target)
    else:
        revisions = session.scalars(
            sa.select(MappingRevision).where(MappingRevision.id.in_([e.revision_id for e in latest.entries]))
            .options(selectinload(MappingRevision.skill_mappings))).all()
    fields = {name: data[name] if name in data else getattr(latest, name)
              for name in ("title", "description", "license")}
    content = build_content(session, fields["title"], fields["description"], fields["license"], source, target,
                            revisions)
    if content_hash(content) == latest.content_hash:
        raise Conflict(f"nothing changed: version {latest.version} already has this content",
                       content_hash=latest.content_hash)
    return _write_version(session, mapping_set, latest.version + 1, fields, source, target, revisions)


# ---------------------------------------------------------------- reading

def _get_set(session, mapping_set_id) -> MappingSet:
    mapping_set = session.get(MappingSet, mapping_set_id)
    if mapping_set is None:
        raise NotFound(f"mapping set {mapping_set_id} not found")
    return mapping_set


def _get_version(session, mapping_set, number) -> MappingSetVersion:
    version = session.scalar(
        sa.select(MappingSetVersion).where(MappingSetVersion.mapping_set_id == mapping_set.id,
                                           MappingSetVersion.version == number)
        .options(selectinload(MappingSetVersion.entries)))
    if version is None:
        raise NotFound(f"version {number} of mapping set {mapping_set.id} not found")
    return version


def get_mapping_set(session: Session, mapping_set_id: uuid.UUID, version: int | None = None):
    """(set, the version asked for or the latest, every version's number, hash and date)."""
    mapping_set = _get_set(session, mapping_set_id)
    chosen = _get_version(session, mapping_set, version or mapping_set.latest_version)
    history = session.execute(
        sa.select(MappingSetVersion.version, MappingSetVersion.content_hash, MappingSetVersion.created_at)
        .where(MappingSetVersion.mapping_set_id == mapping_set.id).order_by(MappingSetVersion.version)).all()
    return mapping_set, chosen, [{"version": v, "content_hash": h, "created_at": c} for v, h, c in history]


def list_mapping_sets(session: Session, filters: dict, page: int, per_page: int):
    """(set, latest version, how many mappings it pins, source framework, target framework), filtered."""
    source, target = aliased(Framework), aliased(Framework)
    pinned = (sa.select(sa.func.count()).select_from(MappingSetEntry)
              .where(MappingSetEntry.set_version_id == MappingSetVersion.id).correlate(MappingSetVersion)
              .scalar_subquery())
    query = (sa.select(MappingSet, MappingSetVersion, pinned, source, target)
             .join(MappingSetVersion, sa.and_(MappingSetVersion.mapping_set_id == MappingSet.id,
                                              MappingSetVersion.version == MappingSet.latest_version))
             .join(source, source.id == MappingSet.source_framework_id)
             .join(target, target.id == MappingSet.target_framework_id)
             # A page of summaries never needs the content of each version, which can be large.
             .options(defer(MappingSetVersion.content)))
    for name in ("source_framework_id", "target_framework_id", "owner_organization_id"):
        if filters.get(name):
            query = query.where(getattr(MappingSet, name) == filters[name])
    if filters.get("framework_id"):
        query = query.where(sa.or_(MappingSet.source_framework_id == filters["framework_id"],
                                   MappingSet.target_framework_id == filters["framework_id"]))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.with_only_columns(MappingSet.id).subquery()))
    rows = session.execute(query.order_by(MappingSet.created_at, MappingSet.id)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return [tuple(row) for row in rows], total
