"""Classification crosswalks as reference data: import a published table, read it for suggestions."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import new_id, utcnow
from app.importers.crosswalk import CrosswalkRecord
from app.models import ClassificationCrosswalk

CHUNK = 1000
COMPARED = ("from_title", "to_title", "partial", "note")


@dataclass
class CrosswalkSummary:
    from_system: str
    to_system: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list = field(default_factory=list)

    def as_dict(self):
        return {"from": self.from_system, "to": self.to_system, "pairs": {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed}}


def _no_progress(_stage, _count):
    pass


def import_crosswalk(session: Session, from_system: str, to_system: str, records: list[CrosswalkRecord],
                     progress=_no_progress) -> CrosswalkSummary:
    """Make the stored (from_system, to_system) table equal to `records`: idempotent, only flushes.

    The file is the whole published table, so pairs it no longer lists are removed: keeping them
    would leave evidence its publisher withdrew.
    """
    table = ClassificationCrosswalk.__table__
    summary = CrosswalkSummary(from_system, to_system)
    existing = {
        (row.from_code, row.to_code): row for row in session.execute(
            sa.select(table.c.id, table.c.from_code, table.c.to_code, *(table.c[name] for name in COMPARED))
            .where(table.c.from_system == from_system, table.c.to_system == to_system))
    }
    now = utcnow()
    inserts, updates, wanted = [], [], set()
    for record in records:
        pair = (record.from_code, record.to_code)
        wanted.add(pair)
        values = {name: getattr(record, name) for name in COMPARED}
        row = existing.get(pair)
        if row is None:
            inserts.append({"id": new_id(), "from_system": from_system, "from_code": record.from_code,
                            "to_system": to_system, "to_code": record.to_code, "created_at": now,
                            "updated_at": now, **values})
        elif tuple(getattr(row, name) for name in COMPARED) != tuple(values.values()):
            updates.append({"b_id": row.id, "updated_at": now, **values})
        else:
            summary.unchanged += 1
    removed = [row.id for pair, row in existing.items() if pair not in wanted]
    for start in range(0, len(inserts), CHUNK):
        session.execute(table.insert(), inserts[start:start + CHUNK])
        progress("pairs", len(inserts[start:start + CHUNK]))
    if updates:
        statement = table.update().where(table.c.id == sa.bindparam("b_id")).values(
            updated_at=sa.bindparam("updated_at"), **{name: sa.bindparam(name) for name in COMPARED})
        for start in range(0, len(updates), CHUNK):
            session.execute(statement, updates[start:start + CHUNK])
            progress("pairs", len(updates[start:start + CHUNK]))
    for start in range(0, len(removed), CHUNK):
        session.execute(table.delete().where(table.c.id.in_(removed[start:start + CHUNK])))
    progress("pairs", summary.unchanged)
    summary.created, summary.updated, summary.removed = len(inserts), len(updates), len(removed)
    session.flush()
    return summary


def crosswalk_fingerprint(session: Session) -> tuple:
    """Changes whenever any crosswalk row is added, changed or removed (count and newest update)."""
    table = ClassificationCrosswalk.__table__
    return tuple(session.execute(sa.select(sa.func.count(), sa.func.max(table.c.updated_at))).one())


def soc_isco_pairs(session: Session) -> list[tuple[str, str, str, bool]]:
    """(soc system, soc code, ISCO-08 code, partial) for every stored ISCO-08 <-> SOC pair, either direction."""
    table = ClassificationCrosswalk.__table__
    pairs = []
    forward = sa.select(table.c.to_system, table.c.to_code, table.c.from_code, table.c.partial).where(
        table.c.from_system == "isco08", table.c.to_system.like("soc%"))
    backward = sa.select(table.c.from_system, table.c.from_code, table.c.to_code, table.c.partial).where(
        table.c.to_system == "isco08", table.c.from_system.like("soc%"))
    for statement in (forward, backward):
        pairs.extend(tuple(row) for row in session.execute(statement))
    return pairs
