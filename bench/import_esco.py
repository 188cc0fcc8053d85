"""Benchmark: the full ESCO import against a baseline that only parses and inserts the same rows.

    .venv/bin/python bench/import_esco.py [--engine sqlite|postgresql|both] [--rounds 3]

Import: read_esco on both zips, then apply_bundle and commit in one transaction (what
`flask --app wsgi import esco` does) into a freshly migrated database.
Baseline: parse the same three CSV members (occupations, skills, relations) with csv.reader and
insert their rows with SQLAlchemy Core executemany, batches of 1,000, in one transaction, into three
plain tables of a fresh database. Both sides run `--rounds` times, alternating which goes first;
the ratio of the medians is the figure to watch (goal: at most 2.0x).
"""
import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.importers.esco import read_esco  # noqa: E402
from app.models import Skill, Standard, StandardSkill  # noqa: E402
from app.services.imports import apply_bundle  # noqa: E402
from app.services.publishers import resolve_publisher  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "esco-v1.1.0"
CLASSIFICATION = DATA / "ESCO dataset - v1.1.0 - classification - en - csv.zip"
RELATIONS = DATA / "ESCO dataset - v1.1.0 - classification - relations - csv.zip"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EXPECTED = {"standards": 3008, "skills": 13891, "links": 123852}
GOAL = 2.0
BATCH = 1000

baseline_metadata = sa.MetaData()
baseline_occupations = sa.Table(
    "bench_occupations", baseline_metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uri", sa.String(500)), sa.Column("code", sa.String(200)), sa.Column("isco_group", sa.String(4)),
    sa.Column("label", sa.String(500)), sa.Column("alt_labels", sa.Text), sa.Column("description", sa.Text))
baseline_skills = sa.Table(
    "bench_skills", baseline_metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uri", sa.String(500)), sa.Column("skill_type", sa.String(40)), sa.Column("label", sa.String(500)),
    sa.Column("description", sa.Text))
baseline_relations = sa.Table(
    "bench_relations", baseline_metadata, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("occupation_uri", sa.String(500)), sa.Column("relation_type", sa.String(20)),
    sa.Column("skill_uri", sa.String(500)))


# ---------------------------------------------------------------- the two sides

def run_import(url):
    """Seconds for read_esco + apply_bundle + commit into the migrated database at `url`."""
    engine = create_engine(url)
    session = make_sessionmaker(engine)()
    try:
        started = time.perf_counter()
        bundle = read_esco(CLASSIFICATION, RELATIONS)
        publisher = resolve_publisher(session, None, "European Commission (ESCO)", "EU", "recognition_authority")
        summary = apply_bundle(session, publisher.id, bundle)
        session.commit()
        elapsed = time.perf_counter() - started
        counts = {"standards": session.scalar(sa.select(sa.func.count()).select_from(Standard)),
                  "skills": session.scalar(sa.select(sa.func.count()).select_from(Skill)),
                  "links": session.scalar(sa.select(sa.func.count()).select_from(StandardSkill))}
    finally:
        session.close()
        engine.dispose()
    # A benchmark that measured a failed or partial import would be meaningless.
    if counts != EXPECTED or summary.standards.created != EXPECTED["standards"]:
        raise SystemExit(f"import produced {counts}, expected {EXPECTED}")
    return elapsed


def csv_rows(archive, member, columns):
    """The values of `columns` for each data row of a zip member, read as the importer reads it."""
    with archive.open(member) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        header = next(reader)
        positions = [header.index(c) for c in columns]
        for row in reader:
            yield [row[p] for p in positions]


def run_baseline(url):
    """Seconds to parse the same CSV rows and insert them into three plain tables in one transaction."""
    engine = create_engine(url)
    baseline_metadata.create_all(engine)
    try:
        with engine.connect() as connection:
            started = time.perf_counter()
            with connection.begin():
                with zipfile.ZipFile(CLASSIFICATION) as archive:
                    occupations = [
                        {"uri": uri, "code": code, "isco_group": isco, "label": label, "alt_labels": alt,
                         "description": description}
                        for uri, code, isco, label, alt, description in csv_rows(
                            archive, "occupations_en.csv",
                            ("conceptUri", "code", "iscoGroup", "preferredLabel", "altLabels", "description"))
                    ]
                    insert_batches(connection, baseline_occupations, occupations)
                    skills = [
                        {"uri": uri, "skill_type": skill_type, "label": label, "description": description}
                        for uri, skill_type, label, description in csv_rows(
                            archive, "skills_en.csv", ("conceptUri", "skillType", "preferredLabel", "description"))
                    ]
                    insert_batches(connection, baseline_skills, skills)
                with zipfile.ZipFile(RELATIONS) as archive:
                    relations = [
                        {"occupation_uri": occupation, "relation_type": relation, "skill_uri": skill}
                        for occupation, relation, skill in csv_rows(
                            archive, "occupationSkillRelations.csv", ("occupationUri", "relationType", "skillUri"))
                    ]
                    insert_batches(connection, baseline_relations, relations)
            elapsed = time.perf_counter() - started
        counts = (len(occupations), len(skills), len(relations))
    finally:
        engine.dispose()
    if counts != tuple(EXPECTED.values()):
        raise SystemExit(f"baseline parsed {counts} rows, expected {tuple(EXPECTED.values())}")
    return elapsed


def insert_batches(connection, table, rows):
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[start:start + BATCH])


# ---------------------------------------------------------------- fresh databases

def migrate(url):
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@contextmanager
def fresh_database(engine_name, workdir, migrated):
    """URL of an empty database (a new SQLite file, or a new private PostgreSQL schema), removed afterwards."""
    if engine_name == "sqlite":
        path = Path(workdir) / f"{uuid.uuid4().hex[:8]}.sqlite3"
        url = f"sqlite:///{path}"
        if migrated:
            migrate(url)
        yield url
        return
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    schema = f"bench_import_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}"
        if migrated:
            migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# ---------------------------------------------------------------- driver

def measure(engine_name, rounds, workdir):
    imports, baselines = [], []
    for round_number in range(rounds):
        # Alternate which side goes first, so a slow spell on the shared machine hits both alike.
        sides = [("import", imports), ("baseline", baselines)]
        if round_number % 2:
            sides.reverse()
        for side, results in sides:
            with fresh_database(engine_name, workdir, migrated=side == "import") as url:
                seconds = run_import(url) if side == "import" else run_baseline(url)
            results.append(seconds)
            print(f"  {engine_name:<10} round {round_number + 1}  {side:<8} {seconds:6.2f} s", flush=True)
    return statistics.median(imports), statistics.median(baselines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not CLASSIFICATION.is_file() or not RELATIONS.is_file():
        raise SystemExit(f"the ESCO v1.1.0 zips are not in {DATA}")
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-esco-") as workdir:
        for engine_name in engines:
            results[engine_name] = measure(engine_name, args.rounds, workdir)
    rows = sum(EXPECTED.values())
    print(f"\nESCO v1.1.0 import, medians of {args.rounds} rounds ({rows:,} rows parsed; "
          f"goal: import <= {GOAL}x baseline)")
    print(f"{'engine':<12}{'import s':>10}{'baseline s':>12}{'ratio':>8}  goal")
    for engine_name, (import_seconds, baseline_seconds) in results.items():
        ratio = import_seconds / baseline_seconds
        verdict = "met" if ratio <= GOAL else "NOT met"
        print(f"{engine_name:<12}{import_seconds:>10.2f}{baseline_seconds:>12.2f}{ratio:>7.2f}x  {verdict}")


if __name__ == "__main__":
    main()
