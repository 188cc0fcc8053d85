"""Frameworks, standards with their versions and skill maps, and search over them."""
import hashlib
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Framework, Skill, Standard, StandardSkill, StandardVersion
from app.services import search_index
from app.services.access import Principal, require_kind, require_owner
from app.services.text import language_map_text

PUBLISHER_KINDS = ("certification_body", "recognition_authority")
VERSION_FIELDS = ("title", "description", "alt_labels", "level", "eqf_level", "isco08", "uri")


# ---------------------------------------------------------------- frameworks

def create_framework(session: Session, principal: Principal | None, data: dict) -> Framework:
    principal = require_kind(principal, *PUBLISHER_KINDS)
    _refuse_duplicate_framework(session, data["country"], data["code"], data["version"])
    framework = Framework(
        organization_id=principal.organization_id, code=data["code"], title=data["title"],
        description=data.get("description"), country=data["country"], version=data["version"],
        languages=data.get("languages") or ["en"], uri=data.get("uri"),
    )
    session.add(framework)
    session.flush()
    return framework


def _refuse_duplicate_framework(session, country, code, version):
    exists = session.scalar(
        sa.select(Framework.id).where(
            Framework.country == country, Framework.code == code, Framework.version == version
        )
    )
    if exists is not None:
        raise Conflict(f"framework {code} version {version} already exists for country {country}",
                       existing_id=str(exists))


def get_framework(session: Session, framework_id: uuid.UUID) -> Framework:
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise NotFound(f"framework {framework_id} not found")
    return framework


def list_frameworks(session: Session, country=None, organization_id=None, page=1, per_page=20):
    query = sa.select(Framework)
    if country:
        query = query.where(Framework.country == country)
    if organization_id:
        query = query.where(Framework.organization_id == organization_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(Framework.code, Framework.version, Framework.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return items, total


def _owned_framework(session, principal, framework_id) -> Framework:
    principal = require_kind(principal, *PUBLISHER_KINDS)
    framework = get_framework(session, framework_id)
    require_owner(principal, framework.organization_id, "this framework")
    return framework


# ---------------------------------------------------------------- content hashing and indexing

def content_hash(code: str, fields: dict, skill_map: list[tuple[str, bool]]) -> str:
    """SHA-256 of a version's content in canonical JSON: equal content, equal hash.

    Sorted keys, no whitespace, UTF-8: for this content (strings, integers, booleans, null, ASCII
    keys) that is byte for byte RFC 8785, and json.dumps is fast enough for bulk imports, where
    the pure-Python rfc8785 package would dominate the import time.
    """
    document = {name: fields.get(name) for name in VERSION_FIELDS}
    document["description"] = document["description"] or {}
    document["alt_labels"] = document["alt_labels"] or {}
    document["code"] = code
    document["skills"] = [[skill_code, bool(essential)] for skill_code, essential in skill_map]
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def search_document(version_id, fields: dict, skill_titles: list) -> dict:
    return {
        "version_id": version_id,
        "title": language_map_text(fields.get("title")),
        "labels": language_map_text(fields.get("alt_labels")),
        "description": language_map_text(fields.get("description")),
        "skills": " ".join(language_map_text(t) for t in skill_titles),
    }


# ---------------------------------------------------------------- skills

def _resolve_skills(session: Session, framework: Framework, skills_in: list[dict]) -> list[tuple[Skill, bool]]:
    """Find or create the framework's shared skill units named by code; keep the given order."""
    seen = set()
    for index, item in enumerate(skills_in):
        if item["code"] in seen:
            raise InvalidInput("a skill appears twice in the skill map",
                               errors={f"skills.{index}.code": [f"duplicate skill code {item['code']!r}"]})
        seen.add(item["code"])
    existing = {}
    codes = [s["code"] for s in skills_in]
    for start in range(0, len(codes), 500):
        for skill in session.scalars(
            sa.select(Skill).where(Skill.framework_id == framework.id, Skill.code.in_(codes[start:start + 500]))
        ):
            existing[skill.code] = skill
    resolved = []
    for index, item in enumerate(skills_in):
        skill = existing.get(item["code"])
        if skill is None:
            if not item.get("title"):
                raise InvalidInput("a new skill unit needs a title",
                                   errors={f"skills.{index}.title": ["required for a skill code new to this framework"]})
            skill = Skill(
                framework_id=framework.id, code=item["code"], uri=item.get("uri"), title=item["title"],
                description=item.get("description") or {}, skill_type=item.get("skill_type"),
            )
            session.add(skill)
            existing[item["code"]] = skill
        elif item.get("title") and item["title"] != skill.title:
            # Skills are shared by every standard of the framework: silently retitling one would
            # change standards that are already published.
            raise Conflict(
                f"skill {item['code']!r} already exists in this framework with another title",
                errors={f"skills.{index}.title": [f"existing title is {skill.title!r}; send the same title or a new code"]},
            )
        resolved.append((skill, bool(item.get("essential", True))))
    session.flush()
    return resolved


# ---------------------------------------------------------------- standards

def create_standard(session: Session, principal: Principal | None, framework_id: uuid.UUID, data: dict) -> StandardVersion:
    framework = _owned_framework(session, principal, framework_id)
    if session.scalar(sa.select(Standard.id).where(Standard.framework_id == framework.id, Standard.code == data["code"])):
        raise Conflict(f"standard {data['code']!r} already exists in this framework",
                       errors={"code": ["already used in this framework"]})
    standard = Standard(framework_id=framework.id, code=data["code"])
    session.add(standard)
    session.flush()
    skills = _resolve_skills(session, framework, data.get("skills") or [])
    return _add_version(session, standard, 1, {f: data.get(f) for f in VERSION_FIELDS}, skills)


def _add_version(session, standard, number, fields, skills, status="draft") -> StandardVersion:
    fields = dict(fields)
    fields["description"] = fields.get("description") or {}
    fields["alt_labels"] = fields.get("alt_labels") or {}
    version = StandardVersion(
        standard_id=standard.id, version=number, status=status, is_latest=True,
        is_public_head=False,
        content_hash=content_hash(standard.code, fields, [(s.code, e) for s, e in skills]),
        **fields,
    )
    version.skill_links = [
        StandardSkill(skill_id=skill.id, position=position, essential=essential)
        for position, (skill, essential) in enumerate(skills)
    ]
    session.add(version)
    session.flush()
    search_index.replace_documents(session, [search_document(version.id, fields, [s.title for s, _ in skills])])
    return version


def _versions(session, standard_id):
    return session.scalars(
        sa.select(StandardVersion).where(StandardVersion.standard_id == standard_id).order_by(StandardVersion.version)
    ).all()


def _latest(session, standard_id) -> StandardVersion | None:
    return session.scalar(
        sa.select(StandardVersion).where(StandardVersion.standard_id == standard_id, StandardVersion.is_latest)
    )


def _load_standard(session, standard_id) -> tuple[Standard, Framework]:
    row = session.execute(
        sa.select(Standard, Framework).join(Framework, Standard.framework_id == Framework.id)
        .where(Standard.id == standard_id)
    ).first()
    if row is None:
        raise NotFound(f"standard {standard_id} not found")
    return row[0], row[1]


def _can_see_drafts(principal: Principal | None, framework: Framework) -> bool:
    return principal is not None and (principal.is_admin or principal.organization_id == framework.organization_id)


def get_standard(session: Session, principal: Principal | None, standard_id: uuid.UUID, version: int | None = None):
    """The version a caller may read: a given one, else the owner's latest, else the public head."""
    standard, framework = _load_standard(session, standard_id)
    owner_view = _can_see_drafts(principal, framework)
    query = sa.select(StandardVersion).where(StandardVersion.standard_id == standard.id)
    if version is not None:
        query = query.where(StandardVersion.version == version)
    elif owner_view:
        query = query.where(StandardVersion.is_latest)
    else:
        query = query.where(StandardVersion.is_public_head)
    found = session.scalar(query)
    if found is None or (found.status == "draft" and not owner_view):
        what = f"version {version} of standard {standard_id}" if version is not None else f"standard {standard_id}"
        raise NotFound(f"{what} not found")
    history = [
        {"version": v.version, "status": v.status, "published_at": v.published_at}
        for v in _versions(session, standard.id) if owner_view or v.status != "draft"
    ]
    return standard, framework, found, history


def update_standard(session: Session, principal: Principal | None, standard_id: uuid.UUID, data: dict) -> StandardVersion:
    """Edit a standard: a draft changes in place; a published one gets a new draft version."""
    standard, framework = _load_standard(session, standard_id)
    _owned_framework(session, principal, framework.id)
    latest = _latest(session, standard.id)
    fields = {f: data[f] if f in data else getattr(latest, f) for f in VERSION_FIELDS}
    if "skills" in data:
        skills = _resolve_skills(session, framework, data["skills"])
    else:
        skills = [(link.skill, link.essential) for link in latest.skill_links]
    if latest.status == "draft":
        for name, value in fields.items():
            setattr(latest, name, value if value is not None or name not in ("description", "alt_labels") else {})
        latest.skill_links = [
            StandardSkill(skill_id=s.id, position=p, essential=e) for p, (s, e) in enumerate(skills)
        ]
        latest.content_hash = content_hash(standard.code, fields, [(s.code, e) for s, e in skills])
        session.flush()
        search_index.replace_documents(session, [search_document(latest.id, fields, [s.title for s, _ in skills])])
        return latest
    latest.is_latest = False
    session.flush()
    return _add_version(session, standard, latest.version + 1, fields, skills)


def publish_standard(session: Session, principal: Principal | None, standard_id: uuid.UUID) -> StandardVersion:
    standard, framework = _load_standard(session, standard_id)
    _owned_framework(session, principal, framework.id)
    latest = _latest(session, standard.id)
    if latest.status != "draft":
        raise Conflict(f"version {latest.version} is already {latest.status}; edit the standard to make a new draft")
    if not latest.title:
        raise InvalidInput("a standard needs a title to be published", errors={"title": ["required to publish"]})
    _make_public_head(session, standard.id, latest)
    latest.status = "published"
    latest.published_at = utcnow()
    session.flush()
    return latest


def _make_public_head(session, standard_id, version):
    session.execute(
        sa.update(StandardVersion)
        .where(StandardVersion.standard_id == standard_id, StandardVersion.is_public_head)
        .values(is_public_head=False)
    )
    version.is_public_head = True


def retire_standard(session: Session, principal: Principal | None, standard_id: uuid.UUID) -> StandardVersion:
    standard, framework = _load_standard(session, standard_id)
    _owned_framework(session, principal, framework.id)
    head = session.scalar(
        sa.select(StandardVersion).where(StandardVersion.standard_id == standard.id, StandardVersion.is_public_head)
    )
    if head is None or head.status != "published":
        raise Conflict("only a published standard can be retired")
    head.status = "retired"
    head.retired_at = utcnow()
    session.flush()
    return head


# ---------------------------------------------------------------- search

def search_standards(session: Session, principal: Principal | None, filters: dict, page: int, per_page: int):
    """Ranked, filtered, paginated search; returns (rows, total). Each row is a mapping of columns."""
    sv, st, fw = StandardVersion, Standard, Framework
    columns = [
        st.id.label("id"), st.code.label("code"), sv.version, sv.status, sv.title, sv.description,
        sv.level, sv.eqf_level, sv.isco08, sv.uri, sv.published_at,
        fw.id.label("framework_id"), fw.code.label("framework_code"), fw.country,
    ]
    query = sa.select(*columns).select_from(sv).join(st, sv.standard_id == st.id).join(fw, st.framework_id == fw.id)
    terms = search_index.query_terms(filters.get("q") or "")
    if terms:
        matches, join_on, rank = search_index.match_clause(session, sv.id, terms)
        query = query.join(matches, join_on).add_columns(rank.label("score"))
        order = [rank.desc(), st.code]
    else:
        query = query.add_columns(sa.cast(sa.null(), sa.Float).label("score"))
        order = [fw.code, st.code]
    query = query.where(_visible(principal, sv, fw))
    if filters.get("status"):
        query = query.where(sv.status == filters["status"])
    if filters.get("country"):
        query = query.where(fw.country == filters["country"])
    if filters.get("framework"):
        query = query.where(_framework_filter(fw, filters["framework"]))
    if filters.get("isco08"):
        query = query.where(sv.isco08.startswith(filters["isco08"], autoescape=True))
    if filters.get("level"):
        query = query.where(sv.level == str(filters["level"]))
    query = query.add_columns(sa.func.count().over().label("total"))
    rows = session.execute(query.order_by(*order, st.id).limit(per_page).offset((page - 1) * per_page)).mappings().all()
    if rows:
        return rows, rows[0]["total"]
    if page == 1:
        return rows, 0
    count = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return rows, count


def _framework_filter(fw, value):
    try:
        return fw.id == uuid.UUID(str(value))
    except ValueError:
        return fw.code == value


def _visible(principal, sv, fw):
    """Owners (and the admin) see their latest versions, drafts included; everyone else public heads."""
    if principal is None:
        return sv.is_public_head
    if principal.is_admin:
        return sv.is_latest
    own = fw.organization_id == principal.organization_id
    return sa.or_(sa.and_(own, sv.is_latest), sa.and_(sa.not_(own), sv.is_public_head))

