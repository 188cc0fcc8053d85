"""Read a CASE 1.0 CFPackage (JSON) into an ImportBundle: one framework, its skills and standards.

Reads what app/services/case.py exports (its docstring has the mapping) and packages from other
CASE tools:
- CFDocument -> the framework. Its id is the CFDocument identifier. Framework code, country and
  languages come from the registry lines in CFDocument.notes when present (CASE 1.0 has no field
  for them); otherwise code = identifier, languages = [language], country = `default_country`.
- CFItems of CFItemType "Occupation" -> standards; CFItems that are skills of an occupation, or of
  a skill-like CFItemType (Skill, Knowledge, Competence, Competency, Task, Technology) -> skill
  units. Other items (clusters, domains: the tree's structure) are left out.
- isChildOf / isPartOf from a skill to an occupation -> the skill map, ordered by sequenceNumber;
  the association grouping says essential or optional (essential when it does not say).
- exactMatchOf to a node outside the package -> the item's source URI (ESCO, O*NET...);
  any association from an occupation to an ESCO ISCO-08 group URI -> isco08, to an EQF level
  URI -> eqf_level.
- Other associations (document structure, skill hierarchies, links to other frameworks) have
  no place in the registry and are left out.
A package that is not a CFPackage at all raises ImportRejected; a bad item or association
becomes a Rejection (file "<source>#/CFItems", row = its index), which refuses the import unless
the operator allows rejects.
"""
import hashlib
import json
import re
import uuid
from datetime import date
from pathlib import Path

from app.errors import ImportRejected
from app.importers.records import FrameworkRecord, ImportBundle, Rejection, SkillRecord, StandardRecord
from schemas.countries import COUNTRY_CODES
from schemas.fields import BCP47

ASSOCIATION_TYPES = ("isChildOf", "isPeerOf", "isPartOf", "exactMatchOf", "precedes", "isRelatedTo",
                     "replacedBy", "exemplar", "hasSkillLevel")
OCCUPATION_TYPE = "Occupation"
# Registry skill_type <-> CFItemType; a skill without a type is exported as "Skill".
SKILL_ITEM_TYPES = {"skill": "Skill", "knowledge": "Knowledge", "competence": "Competence", "task": "Task",
                    "technology": "Technology"}
# CFItemType (case-folded) -> registry skill_type, for items that are skills even when no occupation lists them.
_SKILL_TYPES_READ = {**{name: name for name in SKILL_ITEM_TYPES}, "competency": "competence"}

# Controlled vocabularies with stable public URIs: ISCO-08 groups as ESCO publishes them, and the
# European Qualifications Framework levels of the EU's Europass vocabulary.
ISCO_URI = "http://data.europa.eu/esco/isco/C"
EQF_URI = "http://data.europa.eu/snb/eqf/"

# Every identifier the registry derives for a CASE object that has no row of its own (associations,
# groupings) is uuid5 in this namespace, so that exporting twice gives the same identifiers.
CASE_NAMESPACE = uuid.UUID("6f1d3b9e-52a4-5c1e-9a77-0c2d8e4b1f35")


def derived_id(*parts) -> str:
    """A stable identifier for the CASE object named by `parts`: str(uuid.uuid5(CASE_NAMESPACE, name)).

    Computed with hashlib directly: an ESCO-sized export derives 150,000 of them, and going through
    uuid.UUID objects tripled the cost.
    """
    name = "|".join(str(part) for part in parts)
    digest = bytearray(hashlib.sha1(CASE_NAMESPACE.bytes + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hex_digits = digest.hex()
    return f"{hex_digits[:8]}-{hex_digits[8:12]}-{hex_digits[12:16]}-{hex_digits[16:20]}-{hex_digits[20:]}"


ESSENTIAL_GROUPING = derived_id("CFAssociationGrouping", "essential skill")
OPTIONAL_GROUPING = derived_id("CFAssociationGrouping", "optional skill")
ISCO_GROUPING = derived_id("CFAssociationGrouping", "ISCO-08 classification")
EQF_GROUPING = derived_id("CFAssociationGrouping", "EQF level")
# identifier -> (title, description), the CFAssociationGroupings of every package the registry writes.
GROUPINGS = {
    ESSENTIAL_GROUPING: ("Essential skill", "The origin skill unit is essential to the destination occupational "
                         "standard: a certificate against the standard requires it."),
    OPTIONAL_GROUPING: ("Optional skill", "The origin skill unit belongs to the destination occupational standard "
                        "but a certificate against the standard does not require it."),
    ISCO_GROUPING: ("ISCO-08 classification", "The origin occupational standard is classified in the destination "
                    "ISCO-08 unit group (International Standard Classification of Occupations, ILO), named by its "
                    "ESCO URI."),
    EQF_GROUPING: ("EQF level", "The origin occupational standard is at the destination level of the European "
                   "Qualifications Framework."),
}

# CFDocument.notes lines that carry what CASE 1.0 has no field for.
NOTES_HEADER = "Skills Recognition Registry framework (these lines let the registry re-import this package):"
_NOTES_LINE = re.compile(r"^(framework-code|country|languages):[ \t]*(\S.*?)[ \t]*$", re.MULTILINE)

_REQUIRED_DOCUMENT = ("identifier", "uri", "creator", "title", "lastChangeDateTime")
_REQUIRED_ITEM = ("identifier", "fullStatement", "uri", "lastChangeDateTime")
_REQUIRED_ASSOCIATION = ("identifier", "associationType", "uri", "originNodeURI", "destinationNodeURI",
                         "lastChangeDateTime")
_SKILL_MAP_TYPES = ("isChildOf", "isPartOf")


def registry_notes(code: str, country: str, languages: list) -> str:
    """The CFDocument.notes text that lets a re-import restore code, country and languages."""
    return (f"{NOTES_HEADER}\nframework-code: {code}\ncountry: {country}\n"
            f"languages: {' '.join(languages)}")


def read_case_file(path, default_country=None) -> ImportBundle:
    """Read a CFPackage JSON file."""
    name = Path(path).name
    try:
        package = json.loads(Path(path).read_bytes())
    except json.JSONDecodeError as exc:
        raise ImportRejected(f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                             file=name, row=exc.lineno, reason=f"not JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise ImportRejected(f"{name} is not UTF-8 text", file=name, reason="not UTF-8 text") from None
    return read_case_package(package, default_country=default_country, source=name)


def read_case_package(package, default_country=None, source="CFPackage") -> ImportBundle:
    """Turn a parsed CFPackage into records; refuse what is not a CFPackage at all."""
    package = _unwrapped(package, source)
    document = package["CFDocument"]
    items = _list_member(package, "CFItems", source)
    associations = _list_member(package, "CFAssociations", source)
    framework = _framework_record(document, default_country, source)
    document_id = _normalised_id(document["identifier"])
    reader = _PackageReader(source, document_id, framework.languages[0], _groupings(package))
    reader.read_items(items)
    reader.read_associations(associations)
    if reader.items and not reader.occupations:
        raise ImportRejected(
            f"{source}: no CFItem has CFItemType '{OCCUPATION_TYPE}'; the registry imports occupational "
            "standards with their skills", file=source, reason="no occupation in the package")
    return ImportBundle(framework=framework, skills=reader.skill_records(), standards=reader.standard_records(),
                        source=source, rejected=reader.rejected)


# ---------------------------------------------------------------- the document

def _unwrapped(package, source) -> dict:
    if isinstance(package, dict) and set(package) == {"CFPackage"}:  # some servers wrap the package
        package = package["CFPackage"]
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise ImportRejected(f"{source} is not a CASE CFPackage: it needs a CFDocument object",
                             file=source, reason="no CFDocument object")
    return package


def _list_member(package, name, source) -> list:
    value = package.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ImportRejected(f"{source}: {name} must be a list of objects", file=f"{source}#/{name}",
                             reason=f"{name} is not a list of objects")
    return value


def _framework_record(document, default_country, source) -> FrameworkRecord:
    where = f"{source}#/CFDocument"
    missing = [name for name in _REQUIRED_DOCUMENT if not _text(document.get(name))]
    if missing:
        raise ImportRejected(f"{where} lacks required CASE field(s): {', '.join(missing)}", file=where,
                             reason=f"missing {', '.join(missing)}")
    if _normalised_id(document["identifier"]) is None:
        raise ImportRejected(f"{where}: identifier {document['identifier']!r} is not a UUID", file=where,
                             reason="identifier is not a UUID")
    notes_text = document.get("notes") if isinstance(document.get("notes"), str) else ""
    # Only the registry's own block counts: other tools' notes may say "country: ..." in prose.
    notes = dict(_NOTES_LINE.findall(notes_text)) if NOTES_HEADER in notes_text else {}
    country = _country(notes.get("country"), default_country, where)
    languages = notes["languages"].split() if notes.get("languages") else [_text(document.get("language")) or "en"]
    for tag in languages:
        if not BCP47.match(tag):
            raise ImportRejected(f"{where}: {tag!r} is not a BCP 47 language tag", file=where,
                                 reason="bad language tag")
    code = notes.get("framework-code") or _normalised_id(document["identifier"])
    title, version = document["title"].strip(), _text(document.get("version")) or "1"
    for name, value, limit in (("framework code", code, 100), ("title", title, 500), ("version", version, 50)):
        if len(value) > limit:
            raise ImportRejected(f"{where}: {name} is longer than {limit} characters", file=where,
                                 reason=f"{name} too long")
    return FrameworkRecord(
        code=code, title=title, country=country, version=version, languages=languages,
        description=_text(document.get("description")), uri=_text(document.get("officialSourceURL")),
        id=_normalised_id(document["identifier"]),
    )


def _country(from_package, default_country, where) -> str:
    if from_package and default_country and from_package != default_country:
        raise ImportRejected(f"{where} says the framework belongs to {from_package}, not {default_country}; "
                             "leave the country out to take the package's", file=where, reason="country mismatch")
    country = from_package or default_country
    if not country:
        raise ImportRejected(f"{where} does not say which country the framework belongs to (CASE 1.0 has no field "
                             "for it); name it with --country (CLI) or ?country= (API)", file=where,
                             reason="country unknown")
    if country not in COUNTRY_CODES:
        raise ImportRejected(f"{where}: {country!r} is not an ISO 3166-1 alpha-2 country code", file=where,
                             reason="bad country code")
    return country


def _groupings(package) -> dict:
    """CFAssociationGrouping identifier -> title, from CFDefinitions and the registry's own."""
    titles = {key: title for key, (title, _description) in GROUPINGS.items()}
    definitions = package.get("CFDefinitions")
    if isinstance(definitions, dict):
        for grouping in definitions.get("CFAssociationGroupings") or []:
            if isinstance(grouping, dict) and _normalised_id(grouping.get("identifier")):
                titles.setdefault(_normalised_id(grouping["identifier"]), _text(grouping.get("title")) or "")
    return titles


# ---------------------------------------------------------------- items and associations

class _PackageReader:
    """Collects occupations, skills and the associations between them, with rejections."""

    def __init__(self, source, document_id, default_language, grouping_titles):
        self.source = source
        self.document_id = document_id
        self.default_language = default_language
        self.grouping_titles = grouping_titles
        self.items = {}  # identifier -> (index, CFItem)
        self.occupations = {}  # identifier -> StandardRecord
        self.skills = {}  # identifier -> SkillRecord, for every item that is not an occupation
        self.listed_skills = set()  # identifiers of the skills some occupation lists
        self.rejected_items = set()  # identifiers of rejected items: their associations are skipped, not rejected too
        self.skill_maps = {}  # occupation identifier -> [(sequence, index, skill identifier, essential)]
        self.rejected = []

    def reject(self, member, index, code, reason, identifier=None):
        self.rejected.append(Rejection(f"{self.source}#/{member}", index, code, reason))
        if member == "CFItems" and identifier is not None:
            self.rejected_items.add(identifier)

    def read_items(self, items):
        for index, item in enumerate(items):
            missing = [name for name in _REQUIRED_ITEM if not _text(item.get(name))]
            identifier = _normalised_id(item.get("identifier"))
            code = _text(item.get("humanCodingScheme")) or identifier
            if missing:
                self.reject("CFItems", index, code, f"lacks required CASE field(s): {', '.join(missing)}",
                            identifier)
                continue
            if identifier is None:
                self.reject("CFItems", index, code, f"identifier {item['identifier']!r} is not a UUID")
                continue
            if identifier in self.items or identifier == self.document_id:
                self.reject("CFItems", index, code, f"identifier {identifier} appears twice in the package")
                continue
            language = _text(item.get("language")) or self.default_language
            is_occupation = (_text(item.get("CFItemType")) or "").casefold() == OCCUPATION_TYPE.casefold()
            problem = None
            if not BCP47.match(language):
                problem = f"language {language!r} is not a BCP 47 tag"
            elif len(code) > 200:
                code, problem = code[:200], "humanCodingScheme is longer than 200 characters"
            elif is_occupation and has_ended(_text(item.get("statusEndDate"))):
                # Importing it would publish it again: the import service cannot create a retired standard.
                problem = f"retired on {item['statusEndDate']}; the registry does not import retired standards"
            if problem:
                self.reject("CFItems", index, code, problem, identifier)
                continue
            self.items[identifier] = (index, item)
            if is_occupation:
                self.occupations[identifier] = self._standard(index, item, identifier, code, language)
                self.skill_maps[identifier] = []
            else:
                self.skills[identifier] = self._skill(index, item, identifier, code, language)

    def _standard(self, index, item, identifier, code, language) -> StandardRecord:
        labels = item.get("conceptKeywords") or []
        if isinstance(labels, str):  # CASE 1.0 says a list; some tools send one comma-free string
            labels = [labels]
        if not labels and _text(item.get("alternativeLabel")):
            labels = [item["alternativeLabel"]]
        levels = item.get("educationLevel")
        level = levels[0] if isinstance(levels, list) and levels else levels if isinstance(levels, str) else None
        return StandardRecord(
            code=code, title={language: item["fullStatement"].strip()},
            description={language: item["notes"]} if _text(item.get("notes")) else {},
            alt_labels={language: [str(label) for label in labels]} if labels else {},
            level=_text(level), id=identifier, source_row=index,
        )

    def _skill(self, index, item, identifier, code, language) -> SkillRecord:
        item_type = (_text(item.get("CFItemType")) or "").casefold()
        return SkillRecord(
            code=code, title={language: item["fullStatement"].strip()},
            description={language: item["notes"]} if _text(item.get("notes")) else {},
            skill_type=_SKILL_TYPES_READ.get(item_type), id=identifier, source_row=index,
        )

    def read_associations(self, associations):
        for index, association in enumerate(associations):
            problem = self._association(index, association)
            if problem:
                self.reject("CFAssociations", index, _text(association.get("identifier")), problem)

    def _association(self, index, association):
        """Apply one association to the records; return why it is rejected, or None."""
        missing = [name for name in _REQUIRED_ASSOCIATION if not association.get(name)]
        if missing:
            return f"lacks required CASE field(s): {', '.join(missing)}"
        kind = association["associationType"]
        if kind not in ASSOCIATION_TYPES:
            return f"associationType {kind!r} is not a CASE 1.0 association type"
        origin, destination = association["originNodeURI"], association["destinationNodeURI"]
        if not isinstance(origin, dict) or not isinstance(destination, dict):
            return "originNodeURI and destinationNodeURI must be LinkGenURI objects"
        origin_id = _normalised_id(origin.get("identifier"))
        destination_id = _normalised_id(destination.get("identifier"))
        if origin_id in self.rejected_items or destination_id in self.rejected_items:
            return None  # the item's own rejection says why
        if origin_id not in self.items and origin_id != self.document_id:
            return f"dangling association: origin {origin.get('identifier')!r} is not in the package"
        if destination_id not in self.items and destination_id != self.document_id:
            return self._outside_reference(origin_id, kind, destination)
        if kind in _SKILL_MAP_TYPES and destination_id in self.occupations:
            if origin_id in self.occupations:
                return "an occupation cannot be a skill of another occupation"
            if origin_id == self.document_id:
                return "the document cannot be a skill of an occupation"
            sequence = association.get("sequenceNumber")
            order = sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else float("inf")
            self.skill_maps[destination_id].append((order, index, origin_id, self._essential(association)))
            self.listed_skills.add(origin_id)
        return None

    def _outside_reference(self, origin_id, kind, destination):
        """A link to a node outside the package: an occupation's classification or level, or a source URI."""
        uri = _text(destination.get("uri")) or ""
        occupation = self.occupations.get(origin_id)
        if occupation is not None and uri.startswith(ISCO_URI):
            code = uri[len(ISCO_URI):]
            if not re.fullmatch(r"[0-9]{1,4}", code):
                return f"{uri!r} is not an ISCO-08 group URI"
            if occupation.isco08 and occupation.isco08 != code:
                return f"a second ISCO-08 group ({code}) for an occupation already in {occupation.isco08}"
            occupation.isco08 = code
        elif occupation is not None and uri.startswith(EQF_URI):
            level = uri[len(EQF_URI):]
            if not re.fullmatch(r"[1-8]", level):
                return f"{uri!r} is not an EQF level URI"
            if occupation.eqf_level and occupation.eqf_level != int(level):
                return f"a second EQF level ({level}) for an occupation already at {occupation.eqf_level}"
            occupation.eqf_level = int(level)
        elif kind in _SKILL_MAP_TYPES:
            return f"dangling association: destination {destination.get('identifier')!r} is not in the package"
        elif kind == "exactMatchOf" and uri:
            # The registry keeps one source URI per standard or skill: the first exact match.
            record = occupation or self.skills.get(origin_id)
            if record is not None and not record.uri:
                record.uri = uri
        return None

    def _essential(self, association) -> bool:
        grouping = association.get("CFAssociationGroupingURI")
        grouping_id = _normalised_id(grouping.get("identifier")) if isinstance(grouping, dict) else None
        if grouping_id is None:
            return True
        if grouping_id == OPTIONAL_GROUPING:
            return False
        title = self.grouping_titles.get(grouping_id) or _text(grouping.get("title")) or ""
        return not title.casefold().startswith("optional")

    def standard_records(self) -> list:
        for occupation_id, links in self.skill_maps.items():
            ordered = sorted(links, key=lambda link: (link[0], link[1]))
            self.occupations[occupation_id].skills = [
                (self.skills[skill_id].code, essential) for _order, _index, skill_id, essential in ordered
            ]
        return list(self.occupations.values())

    def skill_records(self) -> list:
        return [record for identifier, record in self.skills.items()
                if identifier in self.listed_skills or record.skill_type is not None]


# ---------------------------------------------------------------- small helpers

def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _normalised_id(value) -> str | None:
    """The canonical lower-case form of a UUID identifier, or None when it is not one."""
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def has_ended(day: str | None) -> bool:
    """Whether a CASE statusEndDate (an ISO date: no longer in effect from that day) is today or earlier."""
    try:
        return day is not None and date.fromisoformat(day[:10]) <= date.today()
    except ValueError:
        return False
