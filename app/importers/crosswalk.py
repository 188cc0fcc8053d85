"""Read a classification crosswalk CSV (such as the BLS ISCO-08 to SOC 2010 table) into plain records.

Columns are found by name: `<system>_code` (else `<system>`) for each side, and optionally
`<system>_title`, `part` ("*" marks a partial match, as BLS publishes it) and `comment` or `note`.
Any malformed row refuses the whole file: a crosswalk with holes would mislead quietly.
"""
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import ImportRejected

SYSTEM_NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")
# Code shapes of the classifications we know; any other system takes a plain code.
CODE_PATTERNS = {
    "isco08": re.compile(r"\d{1,4}"),  # BLS maps some SOC codes to a 3-digit ISCO group
    "soc2010": re.compile(r"\d{2}-\d{4}"),
    "soc2018": re.compile(r"\d{2}-\d{4}"),
    "noc2011": re.compile(r"\d{4}"),
    "noc2016": re.compile(r"\d{4}"),
}
ANY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,39}")
PARTIAL_MARKS = {"": False, "*": True}
NOTE_COLUMNS = ("comment", "note", "notes", "explanatory_notes")


@dataclass
class CrosswalkRecord:
    from_code: str
    to_code: str
    from_title: str | None = None
    to_title: str | None = None
    partial: bool = False
    note: str | None = None
    source_row: int | None = None


def validate_system(name: str, option: str) -> str:
    if not SYSTEM_NAME.fullmatch(name or ""):
        raise ImportRejected(f"{option} {name!r} is not a classification name such as isco08 or soc2010",
                             reason=f"bad {option} {name!r}")
    return name


def read_crosswalk(path, from_system: str, to_system: str, from_column: str | None = None,
                   to_column: str | None = None) -> list[CrosswalkRecord]:
    """Every pair of the file, validated; raises ImportRejected naming file, row and reason."""
    validate_system(from_system, "--from")
    validate_system(to_system, "--to")
    if from_system == to_system:
        raise ImportRejected("a crosswalk joins two different classifications", reason="--from equals --to")
    name = Path(path).name
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [column.strip() for column in next(reader, None) or []]
            if not header:
                raise ImportRejected(f"{name} is empty", file=name, row=1, reason="empty file, no header row")
            columns = _columns(name, header, from_system, to_system, from_column, to_column)
            records, seen = [], {}
            for row_number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue  # a blank line is not a row
                if len(row) != len(header):
                    _reject(name, row_number, f"row has {len(row)} fields, the header has {len(header)}")
                record = _record(name, row_number, [cell.strip() for cell in row], columns, from_system, to_system)
                pair = (record.from_code, record.to_code)
                if pair in seen:
                    _reject(name, row_number, f"pair {pair[0]} -> {pair[1]} already given in row {seen[pair]}")
                seen[pair] = row_number
                records.append(record)
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"{name} is not UTF-8", file=name, reason=f"not UTF-8: {exc}") from None
    except csv.Error as exc:
        raise ImportRejected(f"{name} is not valid CSV: {exc}", file=name, reason=f"invalid CSV: {exc}") from None
    except OSError as exc:
        raise ImportRejected(f"{name} cannot be read: {exc}", file=name, reason=f"unreadable: {exc}") from None
    if not records:
        raise ImportRejected(f"{name} has no pairs", file=name, row=2, reason="no data rows")
    return records


def _columns(name, header, from_system, to_system, from_column, to_column):
    """Positions of the columns this file uses for each field (None where optional and absent)."""
    folded = [column.casefold() for column in header]

    def find(*candidates):
        for candidate in candidates:
            if candidate and candidate.casefold() in folded:
                return folded.index(candidate.casefold())
        return None

    positions = {
        "from_code": find(from_column) if from_column else find(f"{from_system}_code", from_system),
        "to_code": find(to_column) if to_column else find(f"{to_system}_code", to_system),
    }
    missing = [from_column or f"{from_system}_code", to_column or f"{to_system}_code"]
    missing = [column for column, key in zip(missing, ("from_code", "to_code")) if positions[key] is None]
    if missing:
        raise ImportRejected(f"{name} lacks column(s) {', '.join(missing)}", file=name, row=1,
                             reason=f"missing column(s): {', '.join(missing)}")
    positions["from_title"] = find(f"{from_system}_title")
    positions["to_title"] = find(f"{to_system}_title")
    positions["part"] = find("part")
    positions["note"] = find(*NOTE_COLUMNS)
    return positions


def _record(name, row_number, row, columns, from_system, to_system):
    def value(key):
        position = columns[key]
        return row[position] if position is not None else ""

    from_code, to_code = value("from_code"), value("to_code")
    for system, code, label in ((from_system, from_code, "from"), (to_system, to_code, "to")):
        pattern = CODE_PATTERNS.get(system, ANY_CODE)
        if not pattern.fullmatch(code):
            _reject(name, row_number, f"{label} code {code!r} is not a {system} code")
    part = value("part")
    if part not in PARTIAL_MARKS:
        _reject(name, row_number, f"part {part!r} is neither empty nor '*'")
    return CrosswalkRecord(
        from_code=from_code, to_code=to_code, from_title=value("from_title")[:500] or None,
        to_title=value("to_title")[:500] or None, partial=PARTIAL_MARKS[part], note=value("note") or None,
        source_row=row_number,
    )


def _reject(name, row_number, reason):
    raise ImportRejected(f"{name} row {row_number}: {reason}; nothing was imported", file=name, row=row_number,
                         reason=reason)
