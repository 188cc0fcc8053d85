"""SSSOM/TSV: export a mapping set version; import a file's rows as the importing authority's mappings.

What the export says, and why:
- Identifiers are CURIEs (the SSSOM/TSV rule) over registry URLs built from PUBLIC_BASE_URL:
  `srrstd:` standards (/api/v1/standards/{id}), `srrskill:` skill units (the CASE CFItems/{id} that
  serves them), `srrorg:` organisations, `srrfw:` frameworks, `srrmap:` mapping revisions.
  subject_id and object_id are always the registry's standard (or skill) id, not an ESCO/O*NET URI:
  every standard has one, it names exactly one standard (several framework versions carry the
  same ESCO URI), and the mapping is about that standard's pinned version and skill map. The
  standard's own concept URI, when it has one, goes in the `subject_uri` / `object_uri` extension
  columns, so another registry holding the same standards can import the file by URI.
- One row per mapping, then one row per skill-level mapping with skill ids as subject and object,
  `parent_record_id` naming the record_id of the standard-level row it details. Extension columns
  are declared in `extension_definitions`; consumers that do not support extensions (sssom-py
  0.4 among them) drop them and still read every mapping, standard- and skill-level alike.
- `subject_version` / `object_version` (extension) carry the pinned standard versions; mapping_date
  is the revision's date and review_date its validation date; publication_date is the set version's.
- Confidence is written as stored (no rounding to three decimals), so a round trip is exact; skos
  and semapv are listed in curie_map although they are built-in, which the spec allows.

The YAML metadata block is written and read here without a YAML library: the writer emits plain
or double-quoted scalars, one-level mappings and block sequences; the reader accepts that subset
(plus single-quoted scalars, flow sequences and folded plain lines, as other writers produce) and
refuses anything else (anchors, tags, block scalars) with the line number.
"""
import csv
import io
import json
import math
import re
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.errors import ImportRejected
from app.models import Mapping, MappingRevision, Organization, Skill, StandardSkill, StandardVersion
from app.services import mapping_sets, mappings
from app.services.access import Principal, require_kind

SKOS = "http://www.w3.org/2004/02/skos/core#"
SEMAPV = "https://w3id.org/semapv/vocab/"
BUILT_IN_PREFIXES = {
    "owl": "http://www.w3.org/2002/07/owl#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "semapv": SEMAPV, "skos": SKOS,
    "sssom": "https://w3id.org/sssom/",
}
MAPPING_PREDICATES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
SSSOM_VERSION = "1.1"  # record_id is a 1.1 slot
CONTENT_TYPE = "text/tab-separated-values"

# Standard Mapping slots written, in the order of the spec's Mapping slots table (canonical order).
COLUMNS = ("record_id", "subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id",
           "object_label", "mapping_justification", "author_id", "author_label", "reviewer_id", "reviewer_label",
           "mapping_date", "review_date", "confidence", "comment")
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
# Extension slots: name -> type hint. Written after the standard columns, sorted by property.
EXTENSIONS = {
    "object_uri": "xsd:anyURI", "object_version": "xsd:integer", "parent_record_id": "linkml:uriOrCurie",
    "subject_uri": "xsd:anyURI", "subject_version": "xsd:integer",
}


def registry_prefixes(base_url: str) -> dict:
    """The registry's CURIE prefixes (and the vocabularies its extension definitions use)."""
    return {
        "linkml": "https://w3id.org/linkml/",
        "srrfw": f"{base_url}/api/v1/frameworks/",
        "srrmap": f"{base_url}/api/v1/mappings/",
        "srrorg": f"{base_url}/api/v1/organizations/",
        "srrskill": f"{base_url}/ims/case/v1p0/CFItems/",
        "srrstd": f"{base_url}/api/v1/standards/",
        "srrterm": f"{base_url}/ns/sssom/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }


def mapping_set_url(base_url: str, mapping_set_id) -> str:
    return f"{base_url}/api/v1/mapping-sets/{mapping_set_id}"


# ================================================================ writing

_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 _./:#?=&%+~(),'-]*[A-Za-z0-9_./#?=&%+~()-])?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TYPED_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _yaml_scalar(value) -> str:
    """Plain style when that reads back as the same string, else double-quoted (JSON escapes are YAML's)."""
    text = str(value)
    plain = (_PLAIN.fullmatch(text) and ": " not in text and " #" not in text
             and text.lower() not in _TYPED_WORDS) or _DATE.fullmatch(text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def _yaml_lines(metadata: dict) -> list[str]:
    lines = []
    for key, value in metadata.items():
        if value is None or value == [] or value == {}:
            continue  # the spec: skip slots with no value
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {_yaml_scalar(v)}" for k, v in value.items())
        elif isinstance(value, list):
            lines.append(f"{key}:")
            for item in value:
                if isinstance(item, dict):
                    for n, (k, v) in enumerate(item.items()):
                        lines.append(f"{'- ' if n == 0 else '  '}{k}: {_yaml_scalar(v)}")
                else:
                    lines.append(f"- {_yaml_scalar(item)}")
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    return [f"#{line}" for line in lines]


def _label(language_map) -> str | None:
    if not language_map:
        return None
    return language_map.get("en") or language_map[sorted(language_map)[0]]


def _date(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp else None


class _Curies:
    """Builds CURIEs over the registry prefixes and remembers which prefixes were used."""

    def __init__(self, base_url):
        self.prefixes = registry_prefixes(base_url)
        self.used = {"skos", "semapv"}

    def __call__(self, prefix, local):
        self.used.add(prefix)
        return f"{prefix}:{local}"

    def curie_map(self):
        known = {**BUILT_IN_PREFIXES, **self.prefixes}
        return {prefix: known[prefix] for prefix in sorted(self.used)}


def export_tsv(session: Session, mapping_set_id: uuid.UUID, version: int | None, base_url: str) -> tuple[str, str]:
    """(file name, SSSOM/TSV text) of a mapping set version, from its stored content plus labels."""
    mapping_set, set_version, _ = mapping_sets.get_mapping_set(session, mapping_set_id, version)
    content = set_version.content
    revisions = {r.id: r for r in session.scalars(
        sa.select(MappingRevision).where(MappingRevision.id.in_([e.revision_id for e in set_version.entries]))
        .options(selectinload(MappingRevision.skill_mappings)))}
    skill_ids = {i for r in revisions.values() for s in r.skill_mappings for i in (s.source_skill_id, s.target_skill_id)}
    skills = {s.id: s for s in session.scalars(sa.select(Skill).where(Skill.id.in_(skill_ids)))}
    owner = session.get(Organization, mapping_set.owner_organization_id)
    curie = _Curies(base_url)

    rows = []
    for item in content["mappings"]:
        revision = revisions[uuid.UUID(item["revision_id"])]
        record_id = curie("srrmap", f"{item['mapping_id']}/revisions/{item['revision']}")
        shared = {
            "mapping_justification": item["justification"],
            "author_id": curie("srrorg", item["author"]["organization_id"]), "author_label": item["author"]["label"],
            "reviewer_id": (curie("srrorg", item["reviewer"]["organization_id"])
                            if item["reviewer"]["organization_id"] else None),
            "reviewer_label": item["reviewer"]["label"],
            "mapping_date": _date(item["created_at"]), "review_date": _date(item["reviewed_at"]),
        }
        rows.append({
            "record_id": record_id,
            "subject_id": curie("srrstd", item["source"]["standard_id"]),
            "subject_label": _label(revision.source_version.title),
            "predicate_id": item["predicate"], "predicate_modifier": item["predicate_modifier"],
            "object_id": curie("srrstd", item["target"]["standard_id"]),
            "object_label": _label(revision.target_version.title),
            **shared,
            "confidence": repr(item["confidence"]) if item["confidence"] is not None else None,
            "comment": item["comment"],
            "subject_uri": revision.source_version.uri, "object_uri": revision.target_version.uri,
            "subject_version": str(item["source"]["version"]), "object_version": str(item["target"]["version"]),
        })
        for position, link in enumerate(item["skill_mappings"], start=1):
            source_skill, target_skill = (skills[uuid.UUID(link["source_skill_id"])],
                                          skills[uuid.UUID(link["target_skill_id"])])
            rows.append({
                "record_id": curie("srrmap", f"{item['mapping_id']}/revisions/{item['revision']}/skills/{position}"),
                "subject_id": curie("srrskill", link["source_skill_id"]), "subject_label": _label(source_skill.title),
                "predicate_id": link["predicate"], "predicate_modifier": link["predicate_modifier"],
                "object_id": curie("srrskill", link["target_skill_id"]), "object_label": _label(target_skill.title),
                **shared,
                "subject_uri": source_skill.uri, "object_uri": target_skill.uri, "parent_record_id": record_id,
            })

    # The spec: no empty columns. The required ones stay even for an empty set.
    columns = [c for c in COLUMNS if c in REQUIRED_COLUMNS or any(row.get(c) for row in rows)]
    extensions = [name for name in sorted(EXTENSIONS) if any(row.get(name) for row in rows)]
    if extensions:
        curie.used.update({"srrterm", *(EXTENSIONS[name].split(":")[0] for name in extensions)})
    source, target = content["source_framework"], content["target_framework"]
    metadata = {
        "curie_map": None,  # filled in below, once every prefix used is known; written first
        "sssom_version": SSSOM_VERSION,
        "mapping_set_id": mapping_set_url(base_url, mapping_set.id),
        "mapping_set_version": str(set_version.version),
        "mapping_set_title": content["title"],
        "mapping_set_description": content["description"],
        "creator_id": [curie("srrorg", str(owner.id))],
        "creator_label": [owner.name],
        "license": content["license"],
        "subject_source": curie("srrfw", source["id"]),
        "subject_source_version": source["version"],
        "object_source": curie("srrfw", target["id"]),
        "object_source_version": target["version"],
        "mapping_provider": base_url,
        "publication_date": set_version.created_at.date().isoformat(),
        "extension_definitions": [
            {"slot_name": name, "property": f"srrterm:{name}", "type_hint": EXTENSIONS[name]} for name in extensions
        ],
    }
    metadata["curie_map"] = curie.curie_map()

    buffer = io.StringIO()
    buffer.write("\n".join(_yaml_lines(metadata)) + "\n")
    writer = csv.writer(buffer, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(columns + extensions)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns + extensions])
    return f"mapping-set-{mapping_set.id}-v{set_version.version}.sssom.tsv", buffer.getvalue()


# ================================================================ reading (no database)

@dataclass
class SssomFile:
    metadata: dict
    curie_map: dict  # the file's prefixes over the built-in ones
    columns: list
    extensions: set  # extension slot names the metadata declares
    rows: list  # (line number, {column: value or None}) in file order
    rejected: list = field(default_factory=list)  # rows with the wrong number of fields


def _refuse(source, line, reason):
    raise ImportRejected(f"{source} line {line}: {reason}; nothing was imported", file=source, row=line,
                         reason=reason)


_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s+(.*))?$")


def _scalar(text, line, source):
    text = text.strip()
    if not text:
        return None
    if text[0] == '"':
        try:
            return json.loads(text)
        except ValueError:
            _refuse(source, line, f"cannot read the double-quoted YAML value {text[:60]}")
    if text[0] == "'":
        if len(text) < 2 or not text.endswith("'"):
            _refuse(source, line, f"unterminated single-quoted YAML value {text[:60]}")
        return text[1:-1].replace("''", "'")
    if text[0] in "&*!|>{%@`":
        _refuse(source, line, "the metadata uses a YAML feature this import does not read "
                              "(anchors, aliases, tags, block scalars, flow mappings)")
    return text.split(" #", 1)[0].rstrip()  # a plain scalar ends where a comment starts


def _value(text, line, source):
    text = text.strip()
    if text.startswith("["):
        if not text.endswith("]"):
            _refuse(source, line, "unterminated YAML flow sequence")
        inner = text[1:-1].strip()
        return [_scalar(part, line, source) for part in inner.split(",")] if inner else []
    return _scalar(text, line, source)


def _indent(text):
    return len(text) - len(text.lstrip(" "))


def _block(block, key_line, source):
    """A nested block under a key: a one-level mapping, or a sequence of scalars or of one-level mappings."""
    first_indent = _indent(block[0][1])
    if not block[0][1].strip().startswith("-"):
        result = {}
        for line, text in block:
            match = _KEY.match(text.strip())
            if _indent(text) != first_indent or not match:
                _refuse(source, line, "expected 'name: value' at the indentation of the lines above")
            result[match.group(1)] = _value(match.group(2) or "", line, source)
        return result
    items = []
    for line, text in block:
        stripped = text.strip()
        if _indent(text) == first_indent and (stripped == "-" or stripped.startswith("- ")):
            rest = stripped[1:].strip()
            match = _KEY.match(rest)
            if match and not rest.startswith(("'", '"')):
                items.append({match.group(1): _value(match.group(2) or "", line, source)})
            else:
                items.append(_scalar(rest, line, source))
        elif _indent(text) == first_indent + 2 and items and isinstance(items[-1], dict) and _KEY.match(stripped):
            match = _KEY.match(stripped)
            items[-1][match.group(1)] = _value(match.group(2) or "", line, source)
        else:
            _refuse(source, line, f"cannot read this line of the YAML sequence that starts on line {key_line}")
    return items


def parse_metadata(lines, source="file") -> dict:
    """The YAML of a metadata block, given as (line number, text after '#') pairs."""
    lines = [(n, text) for n, text in lines if text.strip()]
    if not lines:
        return {}
    offset = _indent(lines[0][1])  # the spec allows spaces after '#', the same number on every line
    if not _KEY.match(lines[0][1][offset:]):
        _refuse(source, lines[0][0], "expected a top-level 'name: value' line in the metadata block")
    content = []
    for n, text in lines:
        if text[:offset].strip():
            _refuse(source, n, f"every metadata line must have the same {offset} space(s) after '#'")
        content.append((n, text[offset:]))
    result, i = {}, 0
    while i < len(content):
        line, text = content[i]
        match = _KEY.match(text)
        if _indent(text) or not match:
            _refuse(source, line, "expected a top-level 'name: value' line in the metadata block")
        key, value = match.group(1), match.group(2)
        if key in result:
            _refuse(source, line, f"metadata key {key} appears twice")
        i += 1
        nested = []
        while i < len(content) and (content[i][1].startswith(" ") or content[i][1].startswith("-")):
            nested.append(content[i])
            i += 1
        if value and value.strip():
            if nested:  # a plain or quoted scalar folded over several lines: YAML joins them with spaces
                value = " ".join([value.strip(), *(t.strip() for _, t in nested)])
            result[key] = _value(value, line, source)
        else:
            result[key] = _block(nested, line, source) if nested else None
    return result


def read_tsv(text: str, source: str = "file") -> SssomFile:
    """Parse an SSSOM/TSV file (embedded metadata); a malformed file is refused with its line and reason."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    metadata_lines = []
    while len(metadata_lines) < len(lines) and lines[len(metadata_lines)].startswith("#"):
        metadata_lines.append((len(metadata_lines) + 1, lines[len(metadata_lines)][1:]))
    if not metadata_lines:
        _refuse(source, 1, "no metadata block: an SSSOM/TSV file starts with '#' lines giving curie_map, "
                           "mapping_set_id and license (external metadata files are not taken)")
    metadata = parse_metadata(metadata_lines, source)
    for required in ("curie_map", "mapping_set_id", "license"):
        if not metadata.get(required):
            _refuse(source, 1, f"the metadata block has no {required}")
    if not isinstance(metadata["curie_map"], dict):
        _refuse(source, 1, "curie_map must map prefix names to IRI prefixes")
    for prefix, iri in metadata["curie_map"].items():
        if prefix in BUILT_IN_PREFIXES and iri != BUILT_IN_PREFIXES[prefix]:
            _refuse(source, 1, f"curie_map redefines the built-in prefix {prefix} (must be {BUILT_IN_PREFIXES[prefix]})")
    extensions = {d.get("slot_name") for d in metadata.get("extension_definitions") or []
                  if isinstance(d, dict) and d.get("property")}

    header_line = len(metadata_lines) + 1
    reader = csv.reader(io.StringIO("\n".join(lines[len(metadata_lines):])), delimiter="\t", quotechar='"',
                        strict=True)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        _refuse(source, header_line, "no header line after the metadata block")
    except csv.Error as exc:
        _refuse(source, header_line, f"malformed header line: {exc}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        _refuse(source, header_line, f"the header line lacks the column(s) {', '.join(missing)}")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        _refuse(source, header_line, f"the header line repeats {', '.join(duplicated)}")

    parsed = SssomFile(metadata, {**BUILT_IN_PREFIXES, **metadata["curie_map"]}, header, extensions, [])
    while True:
        start = header_line + reader.line_num  # physical line where the next row starts
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            _refuse(source, start, f"malformed TSV: {exc}")
        if not cells or cells == [""]:
            continue
        if len(cells) != len(header):
            parsed.rejected.append({"row": start, "reason": f"has {len(cells)} fields; the header has {len(header)}"})
            continue
        parsed.rows.append((start, {c: (v if v.strip() else None) for c, v in zip(header, cells)}))
    return parsed


# ================================================================ importing

class _RowError(Exception):
    pass


@dataclass
class _Side:
    curie: str
    iri: str
    uri: str | None  # subject_uri / object_uri
    version: int | None  # subject_version / object_version
    standard: StandardVersion | None = None  # resolved: the version to pin
    by_registry_id: bool = False


@dataclass
class _Row:
    line: int
    record_id: str | None
    parent_id: str | None
    subject: _Side
    object: _Side
    predicate: str
    modifier: str | None
    confidence: float | None
    justification: str
    comment: str | None
    skills: list = field(default_factory=list)  # skill rows under a standard-level row
    skill_pair: tuple | None = None  # a skill row's resolved (source skill id, target skill id)


def _expand(parsed, value, column):
    prefix, colon, local = value.partition(":")
    if not colon or not prefix or not local:
        raise _RowError(f"{column} {value!r} is not a CURIE")
    if prefix.lower() in ("http", "https") and local.startswith("//"):
        raise _RowError(f"{column} {value!r} is an IRI; SSSOM/TSV identifiers are CURIEs")
    if prefix not in parsed.curie_map:
        raise _RowError(f"{column} {value!r} uses the prefix {prefix}, which curie_map does not declare")
    return parsed.curie_map[prefix] + local


def _in_vocabulary(parsed, value, column, namespace, curie_prefix, allowed=None):
    iri = _expand(parsed, value, column)
    local = iri.removeprefix(namespace)
    if iri == local or (allowed is not None and local not in allowed) or not re.fullmatch(r"[A-Za-z0-9_.-]+", local):
        expected = ", ".join(f"{curie_prefix}:{a}" for a in allowed) if allowed else f"a {curie_prefix}: term"
        raise _RowError(f"{column} {value!r} is not {expected}")
    return f"{curie_prefix}:{local}"


def _row(parsed, line, record) -> _Row:
    """Check one row's own fields (no database yet)."""
    problems = []

    def take(check):
        try:
            return check()
        except _RowError as exc:
            problems.append(str(exc))
            return None

    def extension(name):
        return record.get(name) if name in parsed.extensions else None

    def side(name):
        value = record.get(f"{name}_id")
        if not value:
            problems.append(f"{name}_id is empty")
            return None
        iri = take(lambda: _expand(parsed, value, f"{name}_id"))
        version = extension(f"{name}_version")
        if version is not None and not version.isdigit():
            problems.append(f"{name}_version {version!r} is not a version number")
            version = None
        return _Side(value, iri, extension(f"{name}_uri"), int(version) if version else None) if iri else None

    subject, object_ = side("subject"), side("object")
    predicate = take(lambda: _in_vocabulary(parsed, record.get("predicate_id") or "", "predicate_id", SKOS, "skos",
                                            MAPPING_PREDICATES))
    justification = None
    if not record.get("mapping_justification"):
        problems.append("mapping_justification is empty")
    else:
        justification = take(lambda: _in_vocabulary(parsed, record["mapping_justification"], "mapping_justification",
                                                     SEMAPV, "semapv"))
    modifier = record.get("predicate_modifier")
    if modifier not in (None, "Not"):
        problems.append(f"predicate_modifier {modifier!r} must be empty or Not")
    confidence = record.get("confidence")
    if confidence is not None:
        try:
            confidence = float(confidence)
        except ValueError:
            confidence = math.nan
        if not 0 <= confidence <= 1:  # NaN fails this too
            problems.append(f"confidence {record['confidence']!r} is not a number from 0 to 1")
    if problems:
        raise _RowError("; ".join(problems))
    return _Row(line, record.get("record_id"), extension("parent_record_id"), subject, object_, predicate, modifier,
                confidence, justification, record.get("comment"))


class _Resolver:
    """Finds the published standards (and skill units) that rows name, by registry id or by URI, in bulk."""

    def __init__(self, session, base_url):
        self.session = session
        self.standard_prefix = f"{base_url}/api/v1/standards/"
        self.item_prefix = f"{base_url}/ims/case/v1p0/CFItems/"
        self.by_id, self.by_uri = {}, {}

    def _registry_id(self, iri):
        for prefix in (self.standard_prefix, self.item_prefix):
            if iri.startswith(prefix):
                try:
                    return uuid.UUID(iri[len(prefix):])
                except ValueError:
                    return None
        return None

    def load(self, sides):
        ids = {i for i in (self._registry_id(s.iri) for s in sides) if i}
        uris = {u for s in sides for u in (s.iri, s.uri) if u}
        heads = sa.select(StandardVersion).where(StandardVersion.is_public_head)
        if ids:
            self.by_id = {v.standard_id: v for v in self.session.scalars(heads.where(StandardVersion.standard_id.in_(ids)))}
        if uris:
            for version in self.session.scalars(heads.where(StandardVersion.uri.in_(uris))):
                self.by_uri.setdefault(version.uri, {})[version.standard_id] = version

    def resolve(self, side: _Side, column):
        registry_id = self._registry_id(side.iri)
        if registry_id is not None:
            head = self.by_id.get(registry_id)
            if head is None:
                raise _RowError(f"{column} {side.curie} names no standard of this registry")
            side.by_registry_id = True
        else:
            found = {**self.by_uri.get(side.iri, {}), **self.by_uri.get(side.uri, {})}
            if not found:
                named = " or ".join(u for u in (side.iri, side.uri) if u)
                raise _RowError(f"{column} {side.curie}: no standard of this registry has the URI {named}")
            if len(found) > 1:
                raise _RowError(f"{column} {side.curie}: {len(found)} standards carry that URI; name one by registry id")
            head = next(iter(found.values()))
        if head.status == "draft":
            raise _RowError(f"{column} {side.curie} names a standard with no published version")
        side.standard = head
        if side.by_registry_id and side.version and side.version != head.version:
            pinned = self.session.scalar(sa.select(StandardVersion).where(
                StandardVersion.standard_id == head.standard_id, StandardVersion.version == side.version))
            if pinned is None or pinned.status == "draft":
                raise _RowError(f"{column} {side.curie}: version {side.version} is not published here")
            side.standard = pinned


def _skill_maps(session, version_ids) -> dict:
    """version id -> [(skill id, skill uri)] of each version's skill map."""
    maps = {}
    for version_id, skill_id, uri in session.execute(
            sa.select(StandardSkill.standard_version_id, Skill.id, Skill.uri)
            .join(Skill, Skill.id == StandardSkill.skill_id)
            .where(StandardSkill.standard_version_id.in_(version_ids))):
        maps.setdefault(version_id, []).append((skill_id, uri))
    return maps


def _skill_in(side: _Side, skill_map, resolver, column, which):
    registry_id = resolver._registry_id(side.iri)
    matches = {skill_id for skill_id, uri in skill_map
               if skill_id == registry_id or (uri and uri in (side.iri, side.uri))}
    if len(matches) != 1:
        what = "is not a skill unit of" if not matches else "matches several skill units of"
        raise _RowError(f"{column} {side.curie} {what} the {which} standard's skill map")
    return matches.pop()


def _same_content(revision, row, skill_mappings) -> bool:
    current = [(s.source_skill_id, s.target_skill_id, s.predicate, s.predicate_modifier) for s in revision.skill_mappings]
    wanted = [(s["source_skill_id"], s["target_skill_id"], s["predicate"], s["predicate_modifier"]) for s in skill_mappings]
    pins_match = all(not side.by_registry_id or not side.version or side.standard.id == version_id
                     for side, version_id in ((row.subject, revision.source_version_id),
                                              (row.object, revision.target_version_id)))
    return (pins_match and current == wanted and
            (revision.predicate, revision.predicate_modifier, revision.confidence, revision.justification,
             revision.comment) == (row.predicate, row.modifier, row.confidence, row.justification, row.comment))


def import_tsv(session: Session, principal: Principal | None, text: str, base_url: str, allow_rejects=False,
               source="request body") -> dict:
    """Turn a file's rows into mappings of the importing authority: new ones as candidates, changed ones
    as new revisions. Rejected rows refuse the whole file unless `allow_rejects`.
    """
    principal = require_kind(principal, mappings.MAPPING_AUTHORITY)
    parsed = read_tsv(text, source)
    rejected = list(parsed.rejected)
    rows = []
    for line, record in parsed.rows:
        try:
            rows.append(_row(parsed, line, record))
        except _RowError as exc:
            rejected.append({"row": line, "reason": str(exc)})

    resolver = _Resolver(session, base_url)
    standard_rows = [r for r in rows if not r.parent_id]
    resolver.load([s for r in standard_rows for s in (r.subject, r.object)])
    valid, by_record, pairs = [], {}, {}
    for row in standard_rows:
        try:
            resolver.resolve(row.subject, "subject_id")
            resolver.resolve(row.object, "object_id")
            pair = (row.subject.standard.standard_id, row.object.standard.standard_id)
            if pair[0] == pair[1]:
                raise _RowError("subject and object are the same standard")
            if pair in pairs:
                raise _RowError(f"the same pair of standards is mapped on line {pairs[pair]}")
        except _RowError as exc:
            rejected.append({"row": row.line, "reason": str(exc)})
            continue
        pairs[pair] = row.line
        valid.append(row)
        if row.record_id:
            by_record[row.record_id] = row

    # Every row with a record_id, rejected or not, so a skill row can say its parent was rejected.
    lines_by_record = {record["record_id"]: line for line, record in parsed.rows if record.get("record_id")}
    skill_maps = _skill_maps(session, {s.standard.id for r in valid for s in (r.subject, r.object)})
    for row in (r for r in rows if r.parent_id):
        try:
            parent = by_record.get(row.parent_id)
            if parent is None and row.parent_id in lines_by_record:
                raise _RowError(f"its standard-level row (line {lines_by_record[row.parent_id]}) was rejected")
            if parent is None:
                raise _RowError(f"parent_record_id {row.parent_id} names no standard-level row of this file")
            source_skill = _skill_in(row.subject, skill_maps.get(parent.subject.standard.id, []), resolver,
                                     "subject_id", "subject")
            target_skill = _skill_in(row.object, skill_maps.get(parent.object.standard.id, []), resolver,
                                     "object_id", "object")
            if any(s.skill_pair == (source_skill, target_skill) for s in parent.skills):
                raise _RowError("the same pair of skills is mapped twice under one standard-level row")
        except _RowError as exc:
            rejected.append({"row": row.line, "reason": str(exc)})
            continue
        row.skill_pair = (source_skill, target_skill)
        parent.skills.append(row)

    rejected.sort(key=lambda r: r["row"])
    if rejected and not allow_rejects:
        first = rejected[0]
        raise ImportRejected(
            f"{len(rejected)} row(s) rejected; nothing was imported. First: line {first['row']}: {first['reason']}",
            file=source, row=first["row"], reason=first["reason"], rejected=rejected[:100])

    summary = {"created": 0, "revised": 0, "unchanged": 0, "rejected": rejected, "mappings": []}
    for row in valid:
        skill_mappings = [{"source_skill_id": s.skill_pair[0], "target_skill_id": s.skill_pair[1],
                           "predicate": s.predicate, "predicate_modifier": s.modifier} for s in row.skills]
        data = {
            "predicate": row.predicate, "predicate_modifier": row.modifier, "confidence": row.confidence,
            "justification": row.justification, "comment": row.comment, "skill_mappings": skill_mappings,
            # Only this registry's own version numbers mean anything here; by URI the head is pinned.
            "source_version": row.subject.standard.version if row.subject.by_registry_id and row.subject.version else None,
            "target_version": row.object.standard.version if row.object.by_registry_id and row.object.version else None,
        }
        existing = session.scalar(sa.select(Mapping).where(
            Mapping.source_standard_id == row.subject.standard.standard_id,
            Mapping.target_standard_id == row.object.standard.standard_id,
            Mapping.author_organization_id == principal.organization_id))
        if existing is None:
            revision = mappings.create_mapping(session, principal, {
                **data, "source_standard_id": row.subject.standard.standard_id,
                "target_standard_id": row.object.standard.standard_id})
            outcome = "created"
        else:
            current = mappings.get_mapping(session, existing.id)[1]
            if _same_content(current, row, skill_mappings):
                revision, outcome = current, "unchanged"
            else:
                revision = mappings.revise_mapping(session, principal, existing.id, data)
                outcome = "revised"
        summary[outcome] += 1
        summary["mappings"].append({"row": row.line, "mapping_id": revision.mapping_id, "revision": revision.revision,
                                    "outcome": outcome})
    return summary
