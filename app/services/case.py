"""CASE 1.0 (1EdTech Competencies and Academic Standards Exchange): the registry's published content
as CFPackage, CFDocument, CFItem and CFAssociation, and the import of a CFPackage.

Only what the public may read is exported: each standard's public head (published or retired),
never a draft, and the skill units those versions list. Every payload validates against the
official CASE 1.0 JSON schema, whose package types allow no extension fields, so the registry's
data is carried in CASE's own fields and associations:

| registry                          | CASE 1.0                                                        |
|-----------------------------------|-----------------------------------------------------------------|
| framework id                      | CFDocument.identifier                                           |
| framework title, version,         | CFDocument.title, version, description, officialSourceURL       |
|   description, uri                |                                                                 |
| framework languages[0]            | CFDocument.language                                             |
| framework code, country,          | CFDocument.notes, as "framework-code: / country: / languages:"  |
|   languages                       |   lines (CASE 1.0 has no jurisdiction field)                    |
| publisher organisation name       | CFDocument.creator and publisher                                |
| (published content)               | CFDocument.adoptionStatus "Adopted"                             |
| standard id, code                 | CFItem.identifier, humanCodingScheme; CFItemType "Occupation"   |
| title, description, alt labels    | fullStatement, notes, conceptKeywords (alternativeLabel = the   |
|   in the framework's first        |   first label), language: the framework's first language that   |
|   language having a title         |   has a title. Other languages are not exported.                |
| level                             | educationLevel [level]                                          |
| published_at, retired_at          | statusStartDate, statusEndDate                                  |
| skill id, code, title,            | CFItem.identifier, humanCodingScheme, fullStatement, notes;     |
|   description, skill_type         |   CFItemType Skill / Knowledge / Competence / Task / Technology |
| standard in its framework         | occupation isChildOf document                                   |
| skill map entry                   | skill isChildOf occupation, sequenceNumber = position + 1,      |
|                                   |   CFAssociationGrouping "Essential skill" or "Optional skill"   |
| standard or skill uri (ESCO,      | exactMatchOf an external node whose uri is that URI             |
|   O*NET...)                       |                                                                 |
| isco08                            | isRelatedTo http://data.europa.eu/esco/isco/C<code>, grouping    |
|                                   |   "ISCO-08 classification"                                      |
| eqf_level                         | isRelatedTo http://data.europa.eu/snb/eqf/<level>, grouping      |
|                                   |   "EQF level"                                                   |

Why: isChildOf with sequenceNumber is how CASE consumers build and order a framework's tree, so a
CASE viewer shows each occupation with its skills in order; a skill listed by several
standards has several parents, which CASE allows. Association groupings are CASE's way of
labelling a set of associations, so essential/optional is visible to any consumer and exact for
the importer. ISCO-08 groups and EQF levels have public URIs, which makes them ordinary external
nodes. Association identifiers are uuid5 of (origin, type, destination), grouping identifiers
uuid5 of their name: re-exporting gives the same package.

In a CFPackage the document carries no CFPackageURI and the items and associations no
CFDocumentURI: the official package schema forbids them there. The stand-alone reads
(CFDocuments/{id}, CFItems/{id}, CFAssociations/{id}) add them, as CASE requires there.
"""
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.errors import Forbidden, NotFound
from app.importers.case import (
    EQF_GROUPING, EQF_URI, ESSENTIAL_GROUPING, GROUPINGS, ISCO_GROUPING, ISCO_URI, OCCUPATION_TYPE,
    OPTIONAL_GROUPING, SKILL_ITEM_TYPES, derived_id, read_case_package, registry_notes,
)
from app.models import Framework, Organization, Skill, Standard, StandardSkill, StandardVersion
from app.services.access import Principal, require_kind
from app.services.imports import ImportSummary, apply_bundle
from app.services.standards import PUBLISHER_KINDS

CASE_PATH = "/ims/case/v1p0"
# When the registry defined its CFAssociationGroupings: they are constants, so is their change time.
GROUPINGS_DEFINED = datetime(2025, 1, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------- reads

def package(session: Session, framework_id: uuid.UUID, base_url: str) -> dict:
    """The CFPackage of a framework: its document, items, associations and grouping definitions."""
    content = _load(session, _framework(session, framework_id))
    content.last_change = _last_changes(session, [content.framework.id])[content.framework.id]
    case = _Case(content, base_url)
    items = [case.occupation(head) for head in content.heads] + [case.skill(s) for s in content.skills.values()]
    associations = case.associations()
    used = {a["CFAssociationGroupingURI"]["identifier"] for a in associations if "CFAssociationGroupingURI" in a}
    return {
        "CFDocument": case.document(),
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFAssociationGroupings": [
            case.grouping(grouping_id) for grouping_id in GROUPINGS if grouping_id in used
        ]},
    }


def documents(session: Session, base_url: str, limit: int, offset: int) -> tuple[list, int]:
    """One page of CFDocuments (every framework, in code order) and the total."""
    total = session.scalar(sa.select(sa.func.count()).select_from(Framework))
    frameworks = session.scalars(
        sa.select(Framework).order_by(Framework.code, Framework.version, Framework.id).limit(limit).offset(offset)
    ).all()
    publishers = _publishers(session, [f.organization_id for f in frameworks])
    changed = _last_changes(session, [f.id for f in frameworks])
    return [
        _Case(_Content(f, publishers[f.organization_id], last_change=changed[f.id]), base_url).standalone_document()
        for f in frameworks
    ], total


def document(session: Session, framework_id: uuid.UUID, base_url: str) -> dict:
    """One CFDocument with its CFPackageURI."""
    framework = _framework(session, framework_id)
    content = _Content(framework, _publishers(session, [framework.organization_id])[framework.organization_id],
                       last_change=_last_changes(session, [framework.id])[framework.id])
    return _Case(content, base_url).standalone_document()


def item(session: Session, item_id: uuid.UUID, base_url: str) -> dict:
    """One CFItem (an occupation or a skill unit) with its CFDocumentURI."""
    case, found = _item_context(session, item_id, base_url)
    return case.with_document_link(found)


def item_associations(session: Session, item_id: uuid.UUID, base_url: str) -> dict:
    """A CFItem and every association it takes part in (CASE CFAssociationSet)."""
    case, found = _item_context(session, item_id, base_url)
    identifier = str(item_id)
    return {
        "CFItem": case.with_document_link(found),
        "CFAssociations": [
            a for a in case.associations()
            if identifier in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
        ],
    }


def association(session: Session, association_id: uuid.UUID, base_url: str) -> dict:
    """One CFAssociation with its CFDocumentURI."""
    origin = _association_origin(session, str(association_id))
    if origin is None:
        raise _unknown("CFAssociation", association_id)
    framework_id, kind, origin_id = origin
    framework = _framework(session, framework_id)
    content = _load(session, framework, standard_id=origin_id if kind == "standard" else None,
                    skill_id=origin_id if kind == "skill" else None)
    case = _Case(content, base_url)
    for candidate in case.associations():
        if candidate["identifier"] == str(association_id):
            return case.with_document_link(candidate)
    raise _unknown("CFAssociation", association_id)


def grouping(grouping_id: uuid.UUID, base_url: str) -> dict:
    """One of the registry's CFAssociationGroupings."""
    if str(grouping_id) not in GROUPINGS:
        raise _unknown("CFAssociationGrouping", grouping_id)
    return _grouping(str(grouping_id), base_url)


# ---------------------------------------------------------------- import

def import_package(session: Session, principal: Principal | None, package_data: dict, country: str | None = None,
                   publish: bool = True, allow_rejects: bool = False) -> ImportSummary:
    """Import a CFPackage into a framework the calling publisher owns (created when new)."""
    principal = require_kind(principal, *PUBLISHER_KINDS)
    bundle = read_case_package(package_data, default_country=country, source="request body")
    # The import service finds a framework by country, code and version; a package naming the id
    # of someone else's framework under other values is refused here as theirs, not as a clash.
    framework = session.get(Framework, uuid.UUID(bundle.framework.id))
    if framework is not None and framework.organization_id != principal.organization_id:
        raise Forbidden(f"framework {framework.code} {framework.version} ({framework.country}) belongs to another "
                        "organisation")
    return apply_bundle(session, principal.organization_id, bundle, publish=publish, allow_rejects=allow_rejects)


# ---------------------------------------------------------------- loading published content

@dataclass
class _Content:
    """What one export needs: the framework, its publisher, and its public heads with their skills."""

    framework: Framework
    publisher: str
    heads: list = field(default_factory=list)  # rows of _head_columns(), in code order
    links: dict = field(default_factory=dict)  # version id -> [(skill id, position, essential)] in order
    skills: dict = field(default_factory=dict)  # skill id -> Skill row, in code order
    last_change: datetime | None = None  # needed for the CFDocument only


def _head_columns():
    sv = StandardVersion
    return (Standard.id.label("standard_id"), Standard.code, sv.id.label("version_id"), sv.status, sv.title,
            sv.description, sv.alt_labels, sv.level, sv.eqf_level, sv.isco08, sv.uri, sv.created_at,
            sv.published_at, sv.retired_at)


def _public(query):
    """Restrict a query joined to StandardVersion to what the public reads: public heads, never drafts."""
    return query.where(StandardVersion.is_public_head, StandardVersion.status != "draft")


def _load(session, framework, standard_id=None, skill_id=None) -> _Content:
    """The framework's published content, or only the part one standard or one skill takes part in."""
    heads_query = _public(sa.select(*_head_columns()).join(StandardVersion, StandardVersion.standard_id == Standard.id)
                          .where(Standard.framework_id == framework.id))
    if standard_id is not None:
        heads_query = heads_query.where(Standard.id == standard_id)
    if skill_id is not None:
        heads_query = heads_query.where(StandardVersion.id.in_(
            sa.select(StandardSkill.standard_version_id).where(StandardSkill.skill_id == skill_id)))
    heads = session.execute(heads_query.order_by(Standard.code, Standard.id)).all()
    links_query = sa.select(StandardSkill.standard_version_id, StandardSkill.skill_id, StandardSkill.position,
                            StandardSkill.essential).where(
        StandardSkill.standard_version_id.in_(heads_query.with_only_columns(StandardVersion.id)))
    if skill_id is not None:
        links_query = links_query.where(StandardSkill.skill_id == skill_id)
    links = {}
    for row in session.execute(links_query.order_by(StandardSkill.standard_version_id, StandardSkill.position)):
        links.setdefault(row.standard_version_id, []).append((row.skill_id, row.position, row.essential))
    skills = {
        row.id: row for row in session.execute(
            sa.select(Skill.id, Skill.code, Skill.uri, Skill.title, Skill.description, Skill.skill_type,
                      Skill.updated_at).where(Skill.id.in_(links_query.with_only_columns(StandardSkill.skill_id)))
            .order_by(Skill.code, Skill.id))
    }
    publisher = _publishers(session, [framework.organization_id])[framework.organization_id]
    return _Content(framework, publisher, heads, links, skills)


def _framework(session, framework_id) -> Framework:
    framework = session.get(Framework, framework_id)
    if framework is None:
        raise _unknown("CFDocument", framework_id)
    return framework


def _publishers(session, organization_ids) -> dict:
    return dict(session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_(set(organization_ids)))).all())


def _last_changes(session, framework_ids) -> dict:
    """When each framework's exported content last changed: itself, a public head, or one of its skills.

    Any skill of the framework counts, listed or not: that may move the date without a visible
    change, but spares a join over every skill-map row (124,000 for ESCO).
    """
    changed = {f.id: f.updated_at for f in session.scalars(sa.select(Framework).where(Framework.id.in_(framework_ids)))}
    sv = StandardVersion
    version_time = sa.func.max(sa.func.coalesce(sv.retired_at, sv.published_at, sv.created_at))
    heads = _public(sa.select(Standard.framework_id, version_time).join(sv, sv.standard_id == Standard.id)
                    .where(Standard.framework_id.in_(framework_ids)).group_by(Standard.framework_id))
    skills = (sa.select(Skill.framework_id, sa.func.max(Skill.updated_at))
              .where(Skill.framework_id.in_(framework_ids)).group_by(Skill.framework_id))
    for query in (heads, skills):
        for framework_id, moment in session.execute(query):
            moment = _aware(moment)
            if moment is not None and moment > changed[framework_id]:
                changed[framework_id] = moment
    return changed


def _aware(moment):
    """Aggregates bypass the column type on SQLite: parse text and add the zone where it is missing."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _item_context(session, item_id, base_url):
    """The case builder for the framework holding item `item_id`, and that item as CASE."""
    head = session.execute(_public(sa.select(Standard.framework_id).join(
        StandardVersion, StandardVersion.standard_id == Standard.id).where(Standard.id == item_id))).first()
    if head is not None:
        content = _load(session, _framework(session, head.framework_id), standard_id=item_id)
        case = _Case(content, base_url)
        return case, case.occupation(content.heads[0])
    skill = session.get(Skill, item_id)
    if skill is not None:
        content = _load(session, _framework(session, skill.framework_id), skill_id=item_id)
        if item_id in content.skills:  # listed by at least one public head
            case = _Case(content, base_url)
            return case, case.skill(content.skills[item_id])
    raise _unknown("CFItem", item_id)


class _AssociationIndex:
    """Association id -> (framework id, "standard" or "skill", origin id), per worker process.

    Association identifiers are hashes that nothing stores, so finding one means recomputing them
    over all published content (about 3 s for ESCO's 146,000 associations). The index is built once
    and rebuilt only when the published content changes (its fingerprint), so a lookup, even of an
    unknown id, costs one small query instead of making the server rehash everything.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._fingerprint = None
        self._origins = {}

    def origin(self, session, target: str):
        fingerprint = _published_fingerprint(session)
        if fingerprint != self._fingerprint:
            with self._lock:
                if fingerprint != self._fingerprint:
                    self._origins = _all_association_origins(session)
                    self._fingerprint = fingerprint
        return self._origins.get(target)


def _published_fingerprint(session):
    """Changes whenever a version is published, retired or superseded, or a skill is edited."""
    sv = StandardVersion
    heads = session.execute(sa.select(sa.func.count(), sa.func.max(sv.published_at), sa.func.max(sv.retired_at))
                            .where(sv.is_public_head)).one()
    skills = session.execute(sa.select(sa.func.count(), sa.func.max(Skill.updated_at))).one()
    return (str(session.get_bind().engine.url),) + tuple(heads) + tuple(skills)


def _all_association_origins(session) -> dict:
    """Every exported association's id with its origin; must name the same associations as
    _Case.associations, which the API tests check one by one."""
    sv = StandardVersion
    origins, framework_of = {}, {}
    heads = session.execute(_public(
        sa.select(Standard.framework_id, Standard.id, sv.uri, sv.isco08, sv.eqf_level)
        .join(sv, sv.standard_id == Standard.id)))
    for framework_id, standard_id, uri, isco08, eqf_level in heads:
        framework_of[standard_id] = framework_id
        origin = (framework_id, "standard", standard_id)
        origins[_association_id(standard_id, "isChildOf", framework_id)] = origin
        if uri:
            origins[_association_id(standard_id, "exactMatchOf", uri)] = origin
        if isco08:
            origins[_association_id(standard_id, "isRelatedTo", ISCO_URI + isco08)] = origin
        if eqf_level:
            origins[_association_id(standard_id, "isRelatedTo", f"{EQF_URI}{eqf_level}")] = origin
    listed = _public(sa.select(StandardSkill.skill_id, sv.standard_id).select_from(StandardSkill)
                     .join(sv, sv.id == StandardSkill.standard_version_id))
    for skill_id, standard_id in session.execute(listed):
        origins[_association_id(skill_id, "isChildOf", standard_id)] = (framework_of[standard_id], "skill", skill_id)
    sources = session.execute(sa.select(Skill.framework_id, Skill.id, Skill.uri).where(
        Skill.uri.is_not(None), Skill.id.in_(listed.with_only_columns(StandardSkill.skill_id))))
    for framework_id, skill_id, uri in sources:
        origins[_association_id(skill_id, "exactMatchOf", uri)] = (framework_id, "skill", skill_id)
    return origins


_association_index = _AssociationIndex()


def _association_origin(session, target: str):
    return _association_index.origin(session, target)


def _association_id(origin_id, association_type, destination) -> str:
    return derived_id("CFAssociation", origin_id, association_type, destination)


def _unknown(kind, identifier):
    """NotFound with the CASE status payload (imsx_StatusInfo) alongside the problem details."""
    return NotFound(
        f"{kind} {identifier} not found", imsx_codeMajor="failure", imsx_severity="error",
        imsx_description="Unknown Object",
        imsx_codeMinor={"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}]},
    )


# ---------------------------------------------------------------- building CASE objects

def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _grouping(grouping_id: str, base_url) -> dict:
    title, description = GROUPINGS[grouping_id]
    return {"identifier": grouping_id, "uri": f"{base_url}{CASE_PATH}/CFAssociationGroupings/{grouping_id}",
            "title": title, "description": description, "lastChangeDateTime": _timestamp(GROUPINGS_DEFINED)}


class _Case:
    """Builds the CASE objects of one framework's loaded content."""

    def __init__(self, content: _Content, base_url: str):
        self.content = content
        self.framework = content.framework
        self.base_url = base_url
        self.base = f"{base_url}{CASE_PATH}"
        self.languages = self.framework.languages or ["en"]
        self._grouping_links = {
            grouping_id: {"title": title, "identifier": grouping_id,
                          "uri": f"{self.base}/CFAssociationGroupings/{grouping_id}"}
            for grouping_id, (title, _description) in GROUPINGS.items()
        }

    # -- links
    def document_uri(self) -> str:
        return f"{self.base}/CFDocuments/{self.framework.id}"

    def document_link(self) -> dict:
        return {"title": self.framework.title, "identifier": str(self.framework.id), "uri": self.document_uri()}

    def with_document_link(self, payload: dict) -> dict:
        return {**payload, "CFDocumentURI": self.document_link()}

    def grouping(self, grouping_id: str) -> dict:
        return _grouping(grouping_id, self.base_url)

    # -- documents
    def document(self) -> dict:
        framework = self.framework
        document = {
            "identifier": str(framework.id), "uri": self.document_uri(), "creator": self.content.publisher,
            "title": framework.title, "lastChangeDateTime": _timestamp(self.content.last_change),
            "publisher": self.content.publisher, "language": self.languages[0], "version": framework.version,
            "adoptionStatus": "Adopted",
            "notes": registry_notes(framework.code, framework.country, self.languages),
        }
        if framework.description:
            document["description"] = framework.description
        if framework.uri:
            document["officialSourceURL"] = framework.uri
        return document

    def standalone_document(self) -> dict:
        return {**self.document(), "CFPackageURI": {
            "title": self.framework.title, "identifier": str(self.framework.id),
            "uri": f"{self.base}/CFPackages/{self.framework.id}"}}

    # -- items
    def _language(self, language_map) -> str:
        """The first framework language with a text in `language_map`, else its first language with one."""
        for tag in self.languages:
            if language_map.get(tag):
                return tag
        return min(tag for tag, text in language_map.items() if text)

    def occupation(self, head) -> dict:
        language = self._language(head.title)
        published = head.published_at or head.created_at
        item = {
            "identifier": str(head.standard_id), "fullStatement": head.title[language],
            "CFItemType": OCCUPATION_TYPE, "uri": f"{self.base}/CFItems/{head.standard_id}",
            "humanCodingScheme": head.code, "language": language,
            "statusStartDate": published.date().isoformat(),
            "lastChangeDateTime": _timestamp(head.retired_at or published),
        }
        if (head.description or {}).get(language):
            item["notes"] = head.description[language]
        labels = (head.alt_labels or {}).get(language)
        if labels:
            item["alternativeLabel"], item["conceptKeywords"] = labels[0], list(labels)
        if head.level:
            item["educationLevel"] = [head.level]
        if head.retired_at:
            item["statusEndDate"] = head.retired_at.date().isoformat()
        return item

    def skill(self, skill) -> dict:
        language = self._language(skill.title)
        item = {
            "identifier": str(skill.id), "fullStatement": skill.title[language],
            "CFItemType": SKILL_ITEM_TYPES.get(skill.skill_type, "Skill"), "uri": f"{self.base}/CFItems/{skill.id}",
            "humanCodingScheme": skill.code, "language": language, "lastChangeDateTime": _timestamp(skill.updated_at),
        }
        if (skill.description or {}).get(language):
            item["notes"] = skill.description[language]
        return item

    # -- associations
    def _node(self, identifier, title) -> dict:
        return {"title": title, "identifier": str(identifier), "uri": f"{self.base}/CFItems/{identifier}"}

    def _association(self, origin, association_type, destination, destination_key, changed: str, sequence=None,
                     grouping=None) -> dict:
        identifier = _association_id(origin["identifier"], association_type, destination_key)
        association = {
            "identifier": identifier, "associationType": association_type,
            "uri": f"{self.base}/CFAssociations/{identifier}", "originNodeURI": origin,
            "destinationNodeURI": destination, "lastChangeDateTime": changed,
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        if grouping is not None:
            association["CFAssociationGroupingURI"] = self._grouping_links[grouping]
        return association

    def _external(self, origin, association_type, uri, title, changed: str, grouping=None) -> dict:
        destination = {"title": title, "identifier": uri, "uri": uri}
        return self._association(origin, association_type, destination, uri, changed, grouping=grouping)

    def associations(self) -> list:
        """Every association of the loaded content, occupation by occupation, then skills' sources."""
        out = []
        document = self.document_link()
        skill_nodes = {skill.id: self._node(skill.id, skill.title[self._language(skill.title)])
                       for skill in self.content.skills.values()}
        for head in self.content.heads:
            node = self._node(head.standard_id, head.title[self._language(head.title)])
            changed = _timestamp(head.retired_at or head.published_at or head.created_at)
            # No sequenceNumber: occupations follow their code (humanCodingScheme) order.
            out.append(self._association(node, "isChildOf", document, document["identifier"], changed))
            if head.uri:
                out.append(self._external(node, "exactMatchOf", head.uri, node["title"], changed))
            if head.isco08:
                out.append(self._external(node, "isRelatedTo", ISCO_URI + head.isco08, f"ISCO-08 {head.isco08}",
                                          changed, ISCO_GROUPING))
            if head.eqf_level:
                out.append(self._external(node, "isRelatedTo", f"{EQF_URI}{head.eqf_level}",
                                          f"EQF level {head.eqf_level}", changed, EQF_GROUPING))
            for skill_id, position, essential in self.content.links.get(head.version_id, []):
                out.append(self._association(
                    skill_nodes[skill_id], "isChildOf", node, node["identifier"], changed, sequence=position + 1,
                    grouping=ESSENTIAL_GROUPING if essential else OPTIONAL_GROUPING))
        for skill in self.content.skills.values():
            if skill.uri:
                node = skill_nodes[skill.id]
                out.append(self._external(node, "exactMatchOf", skill.uri, node["title"],
                                          _timestamp(skill.updated_at)))
        return out
