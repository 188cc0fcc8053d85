"""Read ESCO v1.1.0 as published (the classification and relations CSV zips) into an ImportBundle.

Occupations become standards, skills and knowledge concepts become skill units, and the
occupation-skill relations become each occupation's skill map (essential first, then optional).
The zip members are streamed through the csv module: nothing is extracted to disk.
"""
import csv
import io
import operator
import re
import zipfile
import zlib
from pathlib import Path

from app.errors import ImportRejected
from app.importers.records import FrameworkRecord, ImportBundle, Rejection, SkillRecord, StandardRecord

FRAMEWORK_TITLE = "ESCO - European Skills, Competences, Qualifications and Occupations"
# The concept scheme that holds every ESCO occupation (conceptSchemes_en.csv: "ESCO Occupations").
FRAMEWORK_URI = "http://data.europa.eu/esco/concept-scheme/occupations"

OCCUPATIONS = "occupations_en.csv"
SKILLS = "skills_en.csv"
RELATIONS = "occupationSkillRelations.csv"

OCCUPATION_COLUMNS = ("conceptUri", "code", "iscoGroup", "preferredLabel", "altLabels", "description")
SKILL_COLUMNS = ("conceptUri", "skillType", "preferredLabel", "description")
RELATION_COLUMNS = ("occupationUri", "relationType", "skillUri")

SKILL_TYPES = {"skill/competence": "skill", "knowledge": "knowledge", "": None}
RELATION_TYPES = {"essential": True, "optional": False}
ISCO_GROUP = re.compile(r"\d{4}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def read_esco(classification_zip, relations_zip) -> ImportBundle:
    """Read occupations, skills and their links from the two ESCO zips exactly as distributed."""
    rejected = []
    with _Archive(classification_zip) as archive:
        standards, rejected_occupations = _read_occupations(archive, rejected)
        skills, rejected_skills = _read_skills(archive, rejected)
    with _Archive(relations_zip) as archive:
        _read_relations(archive, standards, skills, rejected_occupations | rejected_skills, rejected)
    return ImportBundle(
        framework=FrameworkRecord(code="ESCO", title=FRAMEWORK_TITLE, country="EU", version="1.1.0",
                                  uri=FRAMEWORK_URI),
        skills=list(skills.values()),
        standards=list(standards.values()),
        source=Path(classification_zip).name,
        rejected=rejected,
    )


# ---------------------------------------------------------------- the three files

def _read_occupations(archive, rejected):
    """Standards by concept URI, and the URIs of rows that were rejected."""
    standards, rejected_uris = {}, set()
    name = _label(archive, OCCUPATIONS)
    for row_number, row in _rows(archive, OCCUPATIONS, OCCUPATION_COLUMNS, rejected):
        uri, code, isco_group, label, alt_labels, description = row
        problem = None
        if not uri:
            problem = "conceptUri is empty"
        elif uri in standards:
            problem = f"occupation {uri} is listed twice"
        elif not code:
            problem = "code is empty"
        elif not label:
            problem = "preferredLabel is empty"
        elif isco_group and not ISCO_GROUP.fullmatch(isco_group):
            problem = f"iscoGroup {isco_group!r} is not a four-digit ISCO-08 group"
        if problem:
            rejected.append(Rejection(name, row_number, code or uri or None, problem))
            rejected_uris.add(uri)
            continue
        labels = _lines(alt_labels)
        standards[uri] = StandardRecord(
            code=code, title={"en": label}, description={"en": description} if description else {},
            alt_labels={"en": labels} if labels else {}, isco08=isco_group or None, uri=uri,
            source_row=row_number,
        )
    return standards, rejected_uris


def _read_skills(archive, rejected):
    """Skill records by concept URI, and the URIs of rows that were rejected."""
    skills, rejected_uris = {}, set()
    name = _label(archive, SKILLS)
    for row_number, row in _rows(archive, SKILLS, SKILL_COLUMNS, rejected):
        uri, skill_type, label, description = row
        code = uri.rstrip("/").rpartition("/")[2]
        problem = None
        if not UUID.fullmatch(code):
            problem = f"conceptUri {uri!r} does not end in a UUID"
        elif uri in skills:
            problem = f"skill {uri} is listed twice"
        elif not label:
            problem = "preferredLabel is empty"
        elif skill_type not in SKILL_TYPES:
            problem = f"unknown skillType {skill_type!r}"
        if problem:
            rejected.append(Rejection(name, row_number, code or None, problem))
            rejected_uris.add(uri)
            continue
        skills[uri] = SkillRecord(
            code=code, title={"en": label}, description={"en": description} if description else {},
            uri=uri, skill_type=SKILL_TYPES[skill_type], source_row=row_number,
        )
    return skills, rejected_uris


def _read_relations(archive, standards, skills, rejected_uris, rejected):
    """Fill each standard's skill map: essential first, then optional, each by skill label."""
    links = {uri: {} for uri in standards}  # occupation URI -> {skill URI: essential}
    name = _label(archive, RELATIONS)
    for row_number, (occupation_uri, relation_type, skill_uri) in _rows(archive, RELATIONS, RELATION_COLUMNS,
                                                                         rejected):
        skill_map = links.get(occupation_uri)
        # 124k rows: the valid ones take this one test; only a bad row pays for finding out why.
        if (skill_map is not None and skill_uri in skills and relation_type in RELATION_TYPES
                and skill_uri not in skill_map):
            skill_map[skill_uri] = RELATION_TYPES[relation_type]
            continue
        rejected.append(Rejection(name, row_number, _relation_code(occupation_uri, standards),
                                  _relation_problem(occupation_uri, relation_type, skill_uri, standards, skills,
                                                    rejected_uris)))
    # Sort keys computed once per skill rather than once per link (a skill has nine links on average).
    sort_keys = {uri: (record.title["en"].casefold(), record.code) for uri, record in skills.items()}
    for occupation_uri, skill_map in links.items():
        ordered = sorted((not essential, *sort_keys[uri]) for uri, essential in skill_map.items())
        standards[occupation_uri].skills = [(code, not optional) for optional, _label, code in ordered]


def _relation_code(occupation_uri, standards):
    standard = standards.get(occupation_uri)
    return standard.code if standard else occupation_uri or None


def _relation_problem(occupation_uri, relation_type, skill_uri, standards, skills, rejected_uris):
    """Why a relation row failed the fast test in _read_relations."""
    if occupation_uri not in standards:
        if occupation_uri in rejected_uris:
            return f"occupation {occupation_uri} was rejected"
        return f"unknown occupation {occupation_uri!r}"
    if skill_uri not in skills:
        return f"skill {skill_uri} was rejected" if skill_uri in rejected_uris else f"unknown skill {skill_uri!r}"
    if relation_type not in RELATION_TYPES:
        return f"relationType {relation_type!r} is neither essential nor optional"
    return f"skill {skill_uri} is linked to this occupation twice"


# ---------------------------------------------------------------- reading zips and CSV members

class _Archive:
    """An open ESCO zip and the name it is reported under."""

    def __init__(self, path):
        self.name = Path(path).name
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRejected(f"{self.name} is not a readable zip file: {exc}", file=self.name,
                                 reason=f"not a readable zip file: {exc}") from None
        # Match members by their base name, so a zip that keeps them in a folder reads the same.
        self.members = {Path(info.filename).name: info for info in self.zip.infolist() if not info.is_dir()}

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.zip.close()


def _label(archive, member):
    return f"{archive.name}/{member}"


def _rows(archive, member, columns, rejected):
    """Yield (row number, values of `columns`) for each data row; the header is row 1.

    Raises ImportRejected when the member is missing, unreadable or lacks a column; a row with
    the wrong number of fields is rejected on its own (it does not make the file unreadable).
    """
    name = _label(archive, member)
    info = archive.members.get(member)
    if info is None:
        raise ImportRejected(f"{archive.name} has no {member}", file=archive.name, reason=f"missing member {member}")
    row_number = 1
    try:
        with archive.zip.open(info) as raw:
            # utf-8-sig drops a byte order mark; newline="" lets csv keep newlines inside quoted fields.
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            header = next(reader, None)
            if header is None:
                raise ImportRejected(f"{name} is empty", file=name, row=1, reason="empty file, no header row")
            missing = [c for c in columns if c not in header]
            if missing:
                raise ImportRejected(f"{name} lacks column(s) {', '.join(missing)}", file=name, row=1,
                                     reason=f"missing column(s): {', '.join(missing)}")
            pick = operator.itemgetter(*[header.index(c) for c in columns])
            width = len(header)
            for row_number, row in enumerate(reader, start=2):
                if len(row) != width:
                    if not any(row):
                        continue  # a blank line is not a row
                    rejected.append(Rejection(name, row_number, None,
                                              f"row has {len(row)} fields, the header has {width}"))
                    continue
                yield row_number, tuple(map(str.strip, pick(row)))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ImportRejected(f"{name} is corrupt: {exc}", file=name, row=row_number,
                             reason=f"corrupt zip member: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"{name} is not UTF-8 near row {row_number + 1}", file=name, row=row_number + 1,
                             reason=f"not UTF-8: {exc}") from None
    except csv.Error as exc:
        raise ImportRejected(f"{name} row {row_number + 1} is not valid CSV: {exc}", file=name,
                             row=row_number + 1, reason=f"invalid CSV: {exc}") from None


def _lines(text):
    """Non-empty lines of a multi-line cell, in order, without repeats."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))

