"""The CSV template of a national standards body: one row per skill unit of an occupational standard.

docs/csv-template.md describes the format. A file that cannot be read as the template at all (not
UTF-8, unknown or missing columns) raises ImportRejected; a row that breaks a rule becomes a
Rejection with its row number, and any bad row leaves its whole standard out of the bundle, so an
import with --allow-rejects never publishes a standard with skill units missing.
"""
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from marshmallow import ValidationError

from app.errors import ImportRejected, InvalidInput
from app.importers.records import FrameworkRecord, ImportBundle, Rejection, SkillRecord, StandardRecord
from schemas.fields import BCP47, ISCO08, validate_country

STANDARD_COLUMNS = ("standard_code", "standard_title", "standard_description", "isco08", "level", "eqf_level",
                    "standard_uri")
SKILL_COLUMNS = ("skill_code", "skill_title", "skill_description", "essential", "skill_uri")
# These take a language suffix (standard_title_ar); without one they hold the framework's first language.
LOCALISED_COLUMNS = ("standard_title", "standard_description", "skill_title", "skill_description")
REQUIRED_COLUMNS = ("standard_code", "standard_title", "skill_code", "skill_title")

# The registry's own limits (database columns and the API's schemas), checked here so that a long
# cell is a rejected row rather than a database error halfway through the import.
MAX_LENGTHS = {"standard_code": 200, "skill_code": 200, "standard_title": 1000, "skill_title": 1000,
               "standard_description": 20000, "skill_description": 20000, "level": 50,
               "standard_uri": 500, "skill_uri": 500}
ESSENTIAL_VALUES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
HEADER_ROW = 1


@dataclass(frozen=True)
class Column:
    """What one header cell holds: a template field, in a language when the field is localised."""

    name: str
    field: str
    language: str | None = None

    @property
    def key(self):
        return (self.field, self.language)


@dataclass
class ParsedRow:
    number: int
    standard_code: str
    skill_code: str
    essential: bool
    # (field, language) -> non-empty cell text; language is None for fields that have none.
    standard_values: dict
    skill_values: dict


@dataclass
class Entity:
    """A standard or skill as its rows describe it so far: each value with the row it came from."""

    first_row: int
    values: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)


@dataclass
class StandardDraft(Entity):
    skills: list = field(default_factory=list)
    skill_rows: dict = field(default_factory=dict)
    rejected: bool = False


def read_csv_template(path, framework_code, framework_title, country, version, languages=None) -> ImportBundle:
    """Read one CSV template file into an ImportBundle for the framework the arguments describe."""
    file = Path(path).name
    declared = _declared_languages(languages)
    _check_framework(framework_code, framework_title, country, version)
    primary = declared[0] if declared else "en"
    rows = _csv_rows(Path(path), file)
    if not rows:
        raise ImportRejected(f"{file} is empty: its first row must name the columns", file=file, row=HEADER_ROW)
    columns, rejected = _parse_header(rows[0], file, primary, declared)
    labels = {column.key: column.name for column in columns if column}

    standards, skills = {}, {}
    data_rows = 0
    for number, cells in enumerate(rows[1:], start=HEADER_ROW + 1):
        if not any(cell.strip() for cell in cells):
            continue  # blank rows, often left at the end by spreadsheets
        data_rows += 1
        parsed, problems = _parse_row(cells, columns, number, primary)
        if not problems:
            problems = _merge_row(parsed, standards, skills, labels)
        if problems:
            code = _cell(cells, columns, "standard_code") or None
            rejected.append(Rejection(file, number, code, "; ".join(problems)))
            if code in standards:
                standards[code].rejected = True
            elif code:
                standards[code] = StandardDraft(first_row=number, rejected=True)
    if not data_rows:
        raise ImportRejected(f"{file} has a header but no rows of standards", file=file, row=HEADER_ROW)

    found = [column.language for column in columns if column and column.language]
    framework = FrameworkRecord(
        code=framework_code.strip(), title=framework_title.strip(), country=country, version=version.strip(),
        languages=declared or list(dict.fromkeys([primary, *found])),
    )
    accepted = [(code, draft) for code, draft in standards.items() if not draft.rejected]
    return ImportBundle(framework=framework, skills=_skill_records(accepted, skills),
                        standards=[_standard_record(code, draft) for code, draft in accepted],
                        source=file, rejected=rejected)


def _declared_languages(languages):
    if not languages:
        return []
    declared = []
    for tag in languages:
        if not BCP47.match(tag):
            raise InvalidInput(f"languages: {tag!r} is not a BCP 47 language tag", errors={"languages": [tag]})
        declared.append(_canonical_tag(tag))
    return list(dict.fromkeys(declared))


def _check_framework(code, title, country, version):
    errors = {}
    for name, value, limit in (("framework_code", code, 100), ("framework_title", title, 500),
                               ("version", version, 50)):
        if not value or not value.strip():
            errors[name] = ["must not be empty"]
        elif len(value.strip()) > limit:
            errors[name] = [f"at most {limit} characters"]
    try:
        validate_country(country)
    except ValidationError as exc:
        errors["country"] = exc.messages
    if errors:
        detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        raise InvalidInput(f"invalid framework options: {detail}", errors=errors)


def _canonical_tag(tag):
    """BCP 47 tags are case-insensitive; keep the conventional case (zh-Hant-TW) so maps have one key."""
    parts = tag.split("-")
    result, in_extension = [parts[0].lower()], False
    for part in parts[1:]:
        in_extension = in_extension or len(part) == 1
        if not in_extension and len(part) == 4 and part.isalpha():
            result.append(part.title())
        elif not in_extension and len(part) == 2 and part.isalpha():
            result.append(part.upper())
        else:
            result.append(part.lower())
    return "-".join(result)


def _csv_rows(path, file):
    data = path.read_bytes()
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(f"{file} is not UTF-8 (invalid byte on line {line}); save it as 'CSV UTF-8'",
                             file=file, row=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise ImportRejected(f"{file} is not a readable CSV file (line {reader.line_num}): {exc}",
                             file=file, row=reader.line_num) from None


def _parse_header(cells, file, primary, declared):
    """The header's columns (None for a column left out for a bad language tag), and its rejections."""
    columns, rejected, unknown, unnamed = [], [], [], []
    for position, cell in enumerate(cells, start=1):
        name = cell.strip()
        column, problem = _column(name, primary, declared)
        if not name:
            unnamed.append(position)
        elif column is None and problem is None:
            unknown.append(name)
        if problem:
            rejected.append(Rejection(file, HEADER_ROW, None, f"column {name!r}: {problem}"))
        columns.append(column)
    if unknown or unnamed:
        problems = []
        if unknown:
            problems.append(f"unknown column(s): {', '.join(unknown)}")
        if unnamed:
            problems.append(f"column(s) {', '.join(map(str, unnamed))} have no name")
        if len(cells) == 1 and (";" in cells[0] or "\t" in cells[0]):
            problems.append("columns must be separated by commas, not semicolons or tabs")
        known = [*STANDARD_COLUMNS, *SKILL_COLUMNS, *(f"{name}_<lang>" for name in LOCALISED_COLUMNS)]
        raise ImportRejected(f"{file} is not the CSV template: {'; '.join(problems)}. "
                             f"Known columns: {', '.join(known)}", file=file, row=HEADER_ROW)
    seen = {}
    for column in filter(None, columns):
        if column.key in seen:
            raise ImportRejected(f"{file}: columns {seen[column.key]!r} and {column.name!r} hold the same values",
                                 file=file, row=HEADER_ROW)
        seen[column.key] = column.name
    missing = [name for name in REQUIRED_COLUMNS
               if (name, primary if name in LOCALISED_COLUMNS else None) not in seen]
    if missing:
        raise ImportRejected(f"{file} is not the CSV template: missing required column(s): {', '.join(missing)}",
                             file=file, row=HEADER_ROW)
    return columns, rejected


def _column(name, primary, declared):
    """(Column, None) for a known column, (None, reason) for a bad language suffix, (None, None) if unknown."""
    lowered = name.lower()
    if lowered in STANDARD_COLUMNS or lowered in SKILL_COLUMNS:
        return Column(name, lowered, primary if lowered in LOCALISED_COLUMNS else None), None
    for base in LOCALISED_COLUMNS:
        if lowered.startswith(base + "_"):
            tag = name[len(base) + 1:]
            if not BCP47.match(tag):
                hint = f" (write {tag.replace('_', '-')!r})" if "_" in tag else ""
                return None, f"{tag!r} is not a BCP 47 language tag{hint}"
            tag = _canonical_tag(tag)
            if declared and tag not in declared:
                return None, f"language {tag!r} is not one of the framework's languages ({', '.join(declared)})"
            return Column(name, base, tag), None
    return None, None


def _cell(cells, columns, wanted):
    for column, cell in zip(columns, cells):
        if column and column.field == wanted and column.language is None:
            return cell.strip()
    return ""


def _parse_row(cells, columns, number, primary):
    """The row's values, or the reasons it is bad."""
    if len(cells) != len(columns):
        return None, [f"has {len(cells)} cells but the header has {len(columns)} columns"]
    standard_values, skill_values, problems = {}, {}, []
    for column, cell in zip(columns, cells):
        if column is None:
            continue
        value = cell.strip()
        if "\x00" in value:
            problems.append(f"{column.name} contains a NUL character")
        elif len(value) > MAX_LENGTHS.get(column.field, 10**9):
            problems.append(f"{column.name} is longer than {MAX_LENGTHS[column.field]} characters")
        elif value:
            target = standard_values if column.field in STANDARD_COLUMNS else skill_values
            target[column.key] = value
    for name in REQUIRED_COLUMNS:
        key = (name, primary if name in LOCALISED_COLUMNS else None)
        if key not in standard_values and key not in skill_values:
            problems.append(f"{name} is empty")

    isco08 = standard_values.get(("isco08", None))
    if isco08 and not ISCO08.match(isco08):
        problems.append(f"isco08 {isco08!r} is not an ISCO-08 code (1 to 4 digits, e.g. 7411)")
    eqf_level = standard_values.get(("eqf_level", None))
    if eqf_level and not (eqf_level.isdigit() and 1 <= int(eqf_level) <= 8):
        problems.append(f"eqf_level {eqf_level!r} is not a whole number from 1 to 8")
    essential = skill_values.pop(("essential", None), "yes")
    if essential.lower() not in ESSENTIAL_VALUES:
        problems.append(f"essential {essential!r} is not one of yes, no, true, false, 1, 0")
    for key, values in ((("standard_uri", None), standard_values), (("skill_uri", None), skill_values)):
        uri = values.get(key)
        if uri and not _is_http_uri(uri):
            problems.append(f"{key[0]} {uri!r} is not an http(s) URI")
    if problems:
        return None, problems
    return ParsedRow(number, standard_values.pop(("standard_code", None)), skill_values.pop(("skill_code", None)),
                     ESSENTIAL_VALUES[essential.lower()], standard_values, skill_values), []


def _is_http_uri(value):
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value


def _merge_row(row, standards, skills, labels):
    """Add a valid row to its standard and skill; the reasons it contradicts earlier rows, if any.

    An empty cell agrees with any value, so a standard's columns need only be filled on one of its
    rows; two different values for the same column are a conflict.
    """
    standard = standards.get(row.standard_code)
    skill = skills.get(row.skill_code)
    problems = []
    if standard is not None:
        problems += _conflicts(f"standard {row.standard_code}", standard, row.standard_values, labels)
        if row.skill_code in standard.skill_rows:
            problems.append(f"skill {row.skill_code} is already in standard {row.standard_code} "
                            f"on row {standard.skill_rows[row.skill_code]}")
    if skill is not None:
        problems += _conflicts(f"skill {row.skill_code}", skill, row.skill_values, labels)
    if problems:
        return problems
    if standard is None:
        standard = standards[row.standard_code] = StandardDraft(first_row=row.number)
    if skill is None:
        skill = skills[row.skill_code] = Entity(first_row=row.number)
    for entity, values in ((standard, row.standard_values), (skill, row.skill_values)):
        for key, value in values.items():
            if key not in entity.values:
                entity.values[key], entity.rows[key] = value, row.number
    standard.skills.append((row.skill_code, row.essential))
    standard.skill_rows[row.skill_code] = row.number
    return []


def _conflicts(what, entity, values, labels):
    return [f"{what}: {labels[key]} {_short(value)} differs from {_short(entity.values[key])} on row {entity.rows[key]}"
            for key, value in values.items() if key in entity.values and entity.values[key] != value]


def _short(text, limit=80):
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def _language_map(values, name):
    return {language: text for (field_name, language), text in values.items() if field_name == name}


def _standard_record(code, draft) -> StandardRecord:
    values = draft.values
    eqf_level = values.get(("eqf_level", None))
    return StandardRecord(
        code=code, title=_language_map(values, "standard_title"),
        description=_language_map(values, "standard_description"),
        level=values.get(("level", None)), eqf_level=int(eqf_level) if eqf_level else None,
        isco08=values.get(("isco08", None)), uri=values.get(("standard_uri", None)),
        skills=list(draft.skills), source_row=draft.first_row,
    )


def _skill_records(accepted, skills) -> list:
    """The skills the accepted standards use, in order of first use (skills of left-out standards are left out too)."""
    used = dict.fromkeys(code for _, draft in accepted for code, _ in draft.skills)
    return [SkillRecord(code=code, title=_language_map(skills[code].values, "skill_title"),
                        description=_language_map(skills[code].values, "skill_description"),
                        uri=skills[code].values.get(("skill_uri", None)), source_row=skills[code].first_row)
            for code in used]
