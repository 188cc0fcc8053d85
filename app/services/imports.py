"""Apply an import bundle to the database in bulk: create, update in place by code, never duplicate.

Imports go through SQLAlchemy Core executemany (the ORM's unit of work is 4x slower for inserts,
see PERF-NOTES), and skill-map links, the bulk of the rows, through the driver (COPY on PostgreSQL),
all inside the caller's transaction, so a failure anywhere leaves nothing behind.
"""
import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Conflict, Forbidden, ImportRejected
from app.importers.records import ImportBundle, Rejection
from app.models import Framework, Skill, Standard, StandardSkill, StandardVersion
from app.services import search_index
from app.services.standards import content_hash, search_document
from app.services.text import language_map_text

CHUNK = 1000
LINK_COLUMNS = ("standard_version_id", "skill_id", "position", "essential")
SQLITE_IMPORT_CACHE_KIB = 64 * 1024


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
    with _sqlite_page_cache(session):
        skill_ids = _apply_skills(session, framework, bundle.skills, summary, progress)
        _apply_standards(session, framework, valid_standards, skill_ids, skill_codes, summary, publish, progress)
    if summary.standards.created or summary.standards.updated:
        _refresh_planner_statistics(session)
    return summary


def _refresh_planner_statistics(session):
    # Without statistics SQLite's planner drove searches from the wrong index after a bulk load
    # (10 ms instead of 0.4 for a one-word query); PostgreSQL would wait for autovacuum. 10 ms.
    tables = ("frameworks", "standards", "standard_versions", "skills")
    if session.get_bind().dialect.name == "sqlite":
        for table in tables:
            session.execute(sa.text(f"ANALYZE {table}"))
    else:
        session.execute(sa.text(f"ANALYZE {', '.join(tables)}"))


@contextmanager
def _sqlite_page_cache(session, kibibytes=SQLITE_IMPORT_CACHE_KIB):
    """On SQLite, a page cache that holds the skill-map indexes while an import writes them.

    The default 2 MiB cache is far smaller than the two indexes of 124k ESCO links, so random
    index inserts kept evicting and rereading pages: a 64 MiB cache made 124k such inserts 30% faster.
    SQLite allocates cache pages only as they are used; the setting is restored afterwards.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar())
    connection.exec_driver_sql(f"PRAGMA cache_size = {-int(kibibytes)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


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
    _insert_dicts(session, skills, inserts, progress, "skills")
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
                      versions.c.version, versions.c.status, versions.c.content_hash, versions.c.search_id)
            .select_from(standards.join(versions, versions.c.standard_id == standards.c.id))
            .where(standards.c.framework_id == framework.id, versions.c.is_latest))
    }
    now = utcnow()
    status = "published" if publish else "draft"
    # Skill-map rows are built directly in the form the driver takes (see _insert_links), converting
    # each id once instead of once per link; skill titles are flattened once for the search index.
    to_database_id = _uuid_to_database(session, links.c.skill_id)
    database_skill_ids = {code: to_database_id(skill_id) for code, skill_id in skill_ids.items()}
    skill_texts = {code: language_map_text(record.title) for code, record in skill_records.items()}
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
            drafts_replaced.append((current.version_id, current.search_id))
            replaced_standards.append(current.standard_id)
            summary.standards.updated += 1
        else:
            standard_id, number = current.standard_id, current.version + 1
            superseded.append(current.standard_id)
            summary.standards.updated += 1
        version_id, search_id = uuid.uuid4(), search_index.new_search_id()
        new_versions.append({
            "id": version_id, "standard_id": standard_id, "version": number, "status": status,
            "content_hash": digest, "is_latest": True, "is_public_head": publish, "created_at": now,
            "search_id": search_id, "title_key": search_index.title_key(record.title),
            "published_at": now if publish else None, "retired_at": None, **fields,
        })
        database_version_id = to_database_id(version_id)
        new_links.extend((database_version_id, database_skill_ids[code], position, bool(essential))
                         for position, (code, essential) in enumerate(record.skills))
        # One pre-joined string gives search_document the same text as one title per skill, at less cost.
        skills_text = " ".join(skill_texts[code] for code, _ in record.skills)
        documents.append(search_document(search_id, fields, [skills_text]))

    if drafts_replaced:
        search_index.remove_documents(session, [search_id for _, search_id in drafts_replaced])
        for chunk in _chunks([version_id for version_id, _ in drafts_replaced]):
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
    _insert_dicts(session, versions, new_versions, progress, "standards")
    _insert_links(session, new_links, progress)
    for chunk in _chunks(documents, 500):
        # New version ids have no index rows yet: insert without the delete replace_documents does.
        search_index.insert_documents(session, chunk)
        progress("search index", len(chunk))
    summary.links += len(new_links)
    progress("standards", summary.standards.unchanged)
    if new_standards or new_versions:
        session.expire_all()


def _uuid_to_database(session, column):
    """The conversion `column`'s type applies to a UUID before the driver sees it (hex text on SQLite)."""
    dialect = session.get_bind().dialect
    convert = column.type.dialect_impl(dialect).bind_processor(dialect)
    return convert or (lambda value: value)


def _insert_links(session, rows, progress):
    """Insert skill-map rows, given as driver-ready tuples in LINK_COLUMNS order, in bulk.

    Links are 124k of the 147k rows an ESCO import writes, so their tuples are built directly,
    converting each id once rather than once per link.
    """
    _insert_tuples(session, StandardSkill.__tablename__, LINK_COLUMNS, rows, progress, "skill links")


def _insert_dicts(session, table, rows, progress, stage):
    """Insert rows given as dicts, converting each value with its column type's bind processor."""
    if not rows:
        return
    dialect = session.connection().dialect
    columns = tuple(rows[0])
    # JSON is serialised here on both engines: psycopg's COPY takes text, not a dict.
    processors = [_json_text if isinstance(table.c[name].type, sa.JSON) else table.c[name].type.bind_processor(dialect)
                  for name in columns]
    tuples = [
        tuple(value if process is None else process(value)
              for value, process in zip((row[name] for name in columns), processors))
        for row in rows
    ]
    _insert_tuples(session, table.name, columns, tuples, progress, stage)


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one instance: json.dumps(**options) builds one a call


def _json_text(value):
    return None if value is None else _JSON_ENCODER.encode(value)


def _insert_tuples(session, table_name, columns, rows, progress, stage):
    """Driver-level bulk insert: COPY on psycopg, executemany elsewhere.

    Core's executemany builds and converts every parameter in Python (13,891 ESCO skills took
    0.55 s on SQLite, the driver 0.1 s), and on PostgreSQL it sends one INSERT per row, where
    COPY streams them (ESCO links: 3.6 s down to 2.7 s; the rest is foreign-key checks and
    index upkeep every row needs).
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(columns)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        with connection.connection.cursor() as cursor:
            for chunk in _chunks(rows, 5000):
                with cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                progress(stage, len(chunk))
        return
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join([placeholder] * len(columns))})"
    for chunk in _chunks(rows, 5000):
        connection.exec_driver_sql(statement, chunk)
        progress(stage, len(chunk))
