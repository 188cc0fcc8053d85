"""Apply an import bundle to the database in bulk: create, update in place by code, never duplicate.

Imports go through SQLAlchemy Core executemany (the ORM's unit of work is 4x slower for inserts,
see PERF-NOTES) inside the caller's transaction, so a failure anywhere leaves nothing behind.
"""
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Conflict, Forbidden, ImportRejected
from app.importers.records import ImportBundle, Rejection
from app.models import Framework, Skill, Standard, StandardSkill, StandardVersion
from app.services import search_index
from app.services.standards import content_hash, search_document

CHUNK = 1000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportSummary:
    framework_id: uuid.UUID | None = None
    framework_created: bool = False
    skills: Counts = field(default_factory=Counts)
    standards: Counts = field(default_factory=Counts)
    links: int = 0
    rejected: list = field(default_factory=list)

    def as_dict(self):
        return {
            "framework_id": str(self.framework_id) if self.framework_id else None,
            "framework_created": self.framework_created,
            "skills": self.skills.as_dict(),
            "standards": self.standards.as_dict(),
            "skill_links": self.links,
            "rejected": [r.as_dict() for r in self.rejected],
        }


def _no_progress(_stage, _count):
    pass


def apply_bundle(session: Session, organization_id: uuid.UUID, bundle: ImportBundle, publish: bool = True,
                 allow_rejects: bool = False, progress=_no_progress) -> ImportSummary:
    """Load `bundle` into the framework it names, owned by `organization_id`.

    New standards are published when `publish` (published sources such as ESCO and O*NET); a changed
    published standard gets a new version; an unchanged one is left alone. Rows the reader rejected,
    and standards naming unknown skills, refuse the whole import unless `allow_rejects`.
    """
    summary = ImportSummary()
    summary.rejected.extend(bundle.rejected)
    skill_codes = _unique_skill_records(bundle, summary)
    valid_standards = _valid_standards(bundle, skill_codes, summary)
    if summary.rejected and not allow_rejects:
        first = summary.rejected[0]
        raise ImportRejected(
            f"{len(summary.rejected)} row(s) rejected; nothing was imported. First: "
            f"{first.file} row {first.row}: {first.reason}",
            file=first.file, row=first.row, reason=first.reason,
            rejected=[r.as_dict() for r in summary.rejected[:100]],
        )
    framework = _framework(session, organization_id, bundle, summary)
    skill_ids = _apply_skills(session, framework, bundle.skills, summary, progress)
    _apply_standards(session, framework, valid_standards, skill_ids, skill_codes, summary, publish, progress)
    return summary


def _unique_skill_records(bundle, summary):
    by_code = {}
    for record in bundle.skills:
        if record.code in by_code:
            summary.rejected.append(Rejection(bundle.source, record.source_row, record.code, "duplicate skill code"))
            continue
        if not record.title:
            summary.rejected.append(Rejection(bundle.source, record.source_row, record.code, "skill has no title"))
            continue
        by_code[record.code] = record
    bundle.skills = list(by_code.values())
    return by_code


def _valid_standards(bundle, skill_codes, summary):
    seen, valid = set(), []
    for record in bundle.standards:
        problem = None
        if record.code in seen:
            problem = "duplicate standard code"
        elif not record.title:
            problem = "standard has no title"
        else:
            unknown = [code for code, _ in record.skills if code not in skill_codes]
            if unknown:
                problem = f"skill map names unknown skill(s): {', '.join(unknown[:5])}"
            elif len({code for code, _ in record.skills}) != len(record.skills):
                problem = "a skill appears twice in the skill map"
        if problem:
            summary.rejected.append(Rejection(bundle.source, record.source_row, record.code, problem))
            continue
        seen.add(record.code)
        valid.append(record)
    return valid


def _framework(session, organization_id, bundle, summary) -> Framework:
    record = bundle.framework
    framework = session.scalar(sa.select(Framework).where(
        Framework.country == record.country, Framework.code == record.code, Framework.version == record.version))
    if framework is None and record.id:
        framework = session.get(Framework, uuid.UUID(record.id))
        if framework is not None:
            raise Conflict(f"framework id {record.id} is already used by framework {framework.code} "
                           f"{framework.version} ({framework.country})")
    if framework is None:
        framework = Framework(
            id=uuid.UUID(record.id) if record.id else uuid.uuid4(), organization_id=organization_id,
            code=record.code, title=record.title, description=record.description, country=record.country,
            version=record.version, languages=record.languages or ["en"], uri=record.uri,
        )
        session.add(framework)
        session.flush()
        summary.framework_created = True
    elif framework.organization_id != organization_id:
        raise Forbidden(f"framework {record.code} {record.version} ({record.country}) belongs to another organisation")
    else:
        for name in ("title", "description", "languages", "uri"):
            value = getattr(record, name)
            if value and getattr(framework, name) != value:
                setattr(framework, name, value)
        session.flush()
    summary.framework_id = framework.id
    return framework


def _chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _apply_skills(session, framework, records, summary, progress) -> dict:
    skills = Skill.__table__
    existing = {
        row.code: row for row in session.execute(
            sa.select(skills.c.id, skills.c.code, skills.c.uri, skills.c.title, skills.c.description, skills.c.skill_type)
            .where(skills.c.framework_id == framework.id))
    }
    now = utcnow()
    inserts, updates, ids = [], [], {}
    for record in records:
        description = record.description or {}
        row = existing.get(record.code)
        if row is None:
            new_id = uuid.UUID(record.id) if record.id else uuid.uuid4()
            ids[record.code] = new_id
            inserts.append({"id": new_id, "framework_id": framework.id, "code": record.code, "uri": record.uri,
                            "title": record.title, "description": description, "skill_type": record.skill_type,
                            "created_at": now, "updated_at": now})
            continue
        ids[record.code] = row.id
        if (row.title, row.description or {}, row.uri, row.skill_type) == (record.title, description, record.uri, record.skill_type):
            summary.skills.unchanged += 1
        else:
            updates.append({"b_id": row.id, "title": record.title, "description": description, "uri": record.uri,
                            "skill_type": record.skill_type, "updated_at": now})
    for chunk in _chunks(inserts):
        session.execute(skills.insert(), chunk)
        progress("skills", len(chunk))
    if updates:
        statement = skills.update().where(skills.c.id == sa.bindparam("b_id")).values(
            title=sa.bindparam("title"), description=sa.bindparam("description"), uri=sa.bindparam("uri"),
            skill_type=sa.bindparam("skill_type"), updated_at=sa.bindparam("updated_at"))
        for chunk in _chunks(updates):
            session.execute(statement, chunk)
            progress("skills", len(chunk))
    summary.skills.created += len(inserts)
    summary.skills.updated += len(updates)
    progress("skills", summary.skills.unchanged)
    for code, row in existing.items():
        ids.setdefault(code, row.id)
    return ids


def _apply_standards(session, framework, records, skill_ids, skill_records, summary, publish, progress):
    standards, versions, links = Standard.__table__, StandardVersion.__table__, StandardSkill.__table__
    latest = {
        row.code: row for row in session.execute(
            sa.select(standards.c.id.label("standard_id"), standards.c.code, versions.c.id.label("version_id"),
                      versions.c.version, versions.c.status, versions.c.content_hash)
            .select_from(standards.join(versions, versions.c.standard_id == standards.c.id))
            .where(standards.c.framework_id == framework.id, versions.c.is_latest))
    }
    now = utcnow()
    status = "published" if publish else "draft"
    new_standards, new_versions, new_links, documents = [], [], [], []
    superseded, drafts_replaced, replaced_standards = [], [], []
    for record in records:
        fields = {"title": record.title, "description": record.description or {},
                  "alt_labels": record.alt_labels or {}, "level": record.level, "eqf_level": record.eqf_level,
                  "isco08": record.isco08, "uri": record.uri}
        digest = content_hash(record.code, fields, record.skills)
        current = latest.get(record.code)
        if current is not None and current.content_hash == digest:
            summary.standards.unchanged += 1
            continue
        if current is None:
            standard_id = uuid.UUID(record.id) if record.id else uuid.uuid4()
            new_standards.append({"id": standard_id, "framework_id": framework.id, "code": record.code, "created_at": now})
            number = 1
            summary.standards.created += 1
        elif current.status == "draft":
            # A draft may change in place: replace it with the new content under the same number.
            standard_id, number = current.standard_id, current.version
            drafts_replaced.append(current.version_id)
            replaced_standards.append(current.standard_id)
            summary.standards.updated += 1
        else:
            standard_id, number = current.standard_id, current.version + 1
            superseded.append(current.standard_id)
            summary.standards.updated += 1
        version_id = uuid.uuid4()
        new_versions.append({
            "id": version_id, "standard_id": standard_id, "version": number, "status": status,
            "content_hash": digest, "is_latest": True, "is_public_head": publish, "created_at": now,
            "published_at": now if publish else None, "retired_at": None, **fields,
        })
        for position, (code, essential) in enumerate(record.skills):
            new_links.append({"standard_version_id": version_id, "skill_id": skill_ids[code],
                              "position": position, "essential": bool(essential)})
        documents.append(search_document(version_id, fields, [skill_records[code].title for code, _ in record.skills]))

    if drafts_replaced:
        keys = [search_index.version_key(session, v) for v in drafts_replaced]
        search_index.remove_documents_by_keys(session, keys)
        for chunk in _chunks(drafts_replaced):
            session.execute(versions.delete().where(versions.c.id.in_(chunk)))
    for chunk in _chunks(superseded):
        session.execute(versions.update().where(versions.c.standard_id.in_(chunk), versions.c.is_latest)
                        .values(is_latest=False))
    if publish:
        for chunk in _chunks(superseded + replaced_standards):
            session.execute(versions.update().where(versions.c.standard_id.in_(chunk), versions.c.is_public_head)
                            .values(is_public_head=False))
    for chunk in _chunks(new_standards):
        session.execute(standards.insert(), chunk)
    for chunk in _chunks(new_versions):
        session.execute(versions.insert(), chunk)
        progress("standards", len(chunk))
    for chunk in _chunks(new_links, 5000):
        session.execute(links.insert(), chunk)
        progress("skill links", len(chunk))
    for chunk in _chunks(documents, 500):
        # New version ids have no index rows yet: insert without the delete replace_documents does.
        search_index.insert_documents(session, chunk)
        progress("search index", len(chunk))
    summary.links += len(new_links)
    progress("standards", summary.standards.unchanged)
    if new_standards or new_versions:
        session.expire_all()

