"""GET /api/v1/standards/{id}/equivalents (with coverage) under gunicorn, at two registry sizes.

1. Throughput: on a generated registry of 1,000 standards and 10,000 validated mappings, against a
   bare Flask JSON endpoint under the same gunicorn settings (2 sync workers) and the same wrk load.
   Goal: at least 0.3 times its requests per second.
2. Scale: the same request at 100,000 standards and 1,000,000 mappings. Goal: p99 at most 2 times
   the p99 at 1,000 standards. Every standard has the same number of mappings on average (10 as
   source, 10 as target) at both sizes, so the answer is the same size and only the registry grows.

    .venv/bin/python bench/equivalents_gunicorn.py [--engine postgresql|sqlite] [--large 100000] [--seconds 10]

Data is generated straight into the tables (COPY on PostgreSQL) with coverage computed by the same
function the service uses; skill_mappings rows are not written, since equivalents never read them.
"""
import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
RESULTS.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REGISTRY_INSTANCE_DIR", str(RESULTS / "instance"))

import sqlalchemy as sa  # noqa: E402

from app.db import create_engine  # noqa: E402
from app.services.coverage import SkillLink, SkillUnit, compute_coverage, reversed_links  # noqa: E402
from bench import harness  # noqa: E402

FRAMEWORKS = 10
SKILLS_PER_FRAMEWORK = 500
SKILLS_PER_STANDARD = 6
MAPPINGS_PER_STANDARD = 10
PREDICATES = ["skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch"]
COUNTRIES = ["PH", "AE", "IN", "BD", "NP", "SA", "QA", "KW", "LK", "PK"]


def _copy(connection, table, columns, rows):
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def generate(url, standards_count, seed=7):
    """Fill a migrated database; return the standard ids that have mappings (for the wrk script)."""
    rng = random.Random(seed)
    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    ident = (lambda u: u.hex) if sqlite else (lambda u: u)
    now = datetime.now(timezone.utc)
    stamp = now.isoformat(sep=" ") if sqlite else now
    started = time.perf_counter()
    with engine.begin() as connection:
        orgs, frameworks = [], []
        for index, country in enumerate(COUNTRIES[:FRAMEWORKS]):
            body, authority, framework = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            orgs += [(ident(body), f"Body {country}", country, "certification_body", f"body-{index}", stamp),
                     (ident(authority), f"Authority {country}", country, "recognition_authority", f"ra-{index}", stamp)]
            frameworks.append((framework, body, authority, country))
        _copy(connection, "organizations", ("id", "name", "country", "kind", "slug", "created_at"), orgs)
        _copy(connection, "frameworks", ("id", "organization_id", "code", "title", "country", "version", "languages",
                                         "created_at", "updated_at"),
              [(ident(f), ident(b), f"FW-{c}", f"Framework {c}", c, "1", '["en"]', stamp, stamp)
               for f, b, _, c in frameworks])
        skills = {}
        skill_rows = []
        for framework, _, _, country in frameworks:
            skills[framework] = []
            for n in range(SKILLS_PER_FRAMEWORK):
                skill_id = uuid.uuid4()
                title = {"en": f"Skill unit {n} of the {country} framework"}
                skills[framework].append((skill_id, f"S{n}", title))
                skill_rows.append((ident(skill_id), ident(framework), f"S{n}", json.dumps(title), "{}", stamp, stamp))
        _copy(connection, "skills", ("id", "framework_id", "code", "title", "description", "created_at", "updated_at"),
              skill_rows)
        standards = []  # (standard id, version id, framework index, skill units)
        standard_rows, version_rows, link_rows = [], [], []
        for n in range(standards_count):
            framework_index = n % FRAMEWORKS
            framework = frameworks[framework_index][0]
            standard_id, version_id = uuid.uuid4(), uuid.uuid4()
            chosen = rng.sample(skills[framework], SKILLS_PER_STANDARD)
            units = [SkillUnit(str(s[0]), s[1], None, s[2], i < 4) for i, s in enumerate(chosen)]
            standards.append((standard_id, version_id, framework_index, units))
            standard_rows.append((ident(standard_id), ident(framework), f"STD-{n}", stamp))
            title = json.dumps({"en": f"Occupational standard {n}"})
            version_rows.append((ident(version_id), ident(standard_id), 1, "published", title, "{}", "{}",
                                 f"{7411 + n % 50}", n * 7919 + 1, f"occupational standard {n}", "x" * 64,
                                 True, True, stamp, stamp))
            link_rows += [(ident(version_id), ident(s[0]), i, i < 4) for i, s in enumerate(chosen)]
        _copy(connection, "standards", ("id", "framework_id", "code", "created_at"), standard_rows)
        _copy(connection, "standard_versions", (
            "id", "standard_id", "version", "status", "title", "description", "alt_labels", "isco08", "search_id",
            "title_key", "content_hash", "is_latest", "is_public_head", "created_at", "published_at"), version_rows)
        _copy(connection, "standard_skills", ("standard_version_id", "skill_id", "position", "essential"), link_rows)
        print(f"  standards written in {time.perf_counter() - started:.1f} s", flush=True)
        mapping_rows, revision_rows, seen = [], [], set()
        for index, (standard_id, version_id, framework_index, units) in enumerate(standards):
            for _ in range(MAPPINGS_PER_STANDARD):
                while True:
                    other = standards[rng.randrange(len(standards))]
                    if other[2] != framework_index and (index, id(other)) not in seen:
                        seen.add((index, id(other)))
                        break
                target_id, target_version, target_framework, target_units = other
                authority = frameworks[target_framework][2]
                links = [SkillLink(units[i].id, target_units[i].id, rng.choice(PREDICATES)) for i in range(2)]
                forward = compute_coverage(units, target_units, links)
                reverse = compute_coverage(target_units, units, reversed_links(links))
                mapping_id = uuid.uuid4()
                mapping_rows.append((ident(mapping_id), ident(standard_id), ident(target_id), ident(authority), stamp))
                revision_rows.append((
                    ident(uuid.uuid4()), ident(mapping_id), 1, True, "validated", ident(standard_id), ident(target_id),
                    ident(version_id), ident(target_version), rng.choice(PREDICATES), round(rng.random(), 2),
                    "semapv:ManualMappingCuration", ident(authority), "Authority", ident(authority), "Authority",
                    stamp, stamp, json.dumps(forward), json.dumps(reverse)))
            if len(mapping_rows) >= 50000:
                _flush_mappings(connection, mapping_rows, revision_rows)
        _flush_mappings(connection, mapping_rows, revision_rows)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    engine.dispose()
    print(f"  {standards_count:,} standards and {standards_count * MAPPINGS_PER_STANDARD:,} mappings in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return [str(s[0]) for s in standards]


def _flush_mappings(connection, mapping_rows, revision_rows):
    _copy(connection, "mappings", ("id", "source_standard_id", "target_standard_id", "author_organization_id",
                                   "created_at"), mapping_rows)
    _copy(connection, "mapping_revisions", (
        "id", "mapping_id", "revision", "is_current", "status", "source_standard_id", "target_standard_id",
        "source_version_id", "target_version_id", "predicate", "confidence", "justification", "author_organization_id",
        "author_label", "reviewer_organization_id", "reviewer_label", "reviewed_at", "created_at", "coverage",
        "reverse_coverage"), revision_rows)
    mapping_rows.clear()
    revision_rows.clear()


def measure(url, standard_ids, seconds, rounds, with_bare):
    env = harness.server_env(url, RESULTS / "instance", "http://127.0.0.1:8000")
    rng = random.Random(11)
    paths = [f"/api/v1/standards/{rng.choice(standard_ids)}/equivalents" for _ in range(500)]
    script = harness.write_lua_paths(RESULTS / "equivalents-paths.lua", paths)
    bare_runs, runs = [], []
    with harness.gunicorn("wsgi:app", env, ready_path="/readyz") as registry:
        harness.wrk(registry + "/", seconds=2, script=script)
        if with_bare:
            with harness.gunicorn("bench.bare_app:app", env, ready_path="/hello") as bare:
                harness.wrk(bare + "/hello", seconds=2)
                for _ in range(rounds):
                    bare_runs.append(harness.wrk(bare + "/hello", seconds=seconds))
                    runs.append(harness.wrk(registry + "/", seconds=seconds, script=script))
        else:
            for _ in range(rounds):
                runs.append(harness.wrk(registry + "/", seconds=seconds, script=script))
    result = {"rps": round(harness.median_of(runs, "rps")), "p50_ms": round(harness.median_of(runs, "p50_ms"), 2),
              "p99_ms": round(harness.median_of(runs, "p99_ms"), 2), "non_2xx": sum(r["non_2xx"] for r in runs)}
    if with_bare:
        result["bare_rps"] = round(harness.median_of(bare_runs, "rps"))
        result["ratio"] = round(result["rps"] / result["bare_rps"], 3)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    harness.require_wrk()
    results = {}
    for label, size in (("small", args.small), ("large", args.large)):
        print(f"{args.engine}: generating {size:,} standards", flush=True)
        if args.engine == "postgresql":
            with harness.postgres_schema() as url:
                harness.migrate(url)
                ids = generate(url, size)
                results[label] = measure(url, ids, args.seconds, args.rounds, with_bare=label == "small")
        else:
            path = RESULTS / f"equivalents-{label}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            harness.migrate(url)
            ids = generate(url, size)
            results[label] = measure(url, ids, args.seconds, args.rounds, with_bare=label == "small")
        print(json.dumps({"size": size, **results[label]}), flush=True)
    summary = {
        "engine": args.engine, "ratio_vs_bare_at_small": results["small"]["ratio"], "goal_ratio": ">= 0.3",
        "p99_small_ms": results["small"]["p99_ms"], "p99_large_ms": results["large"]["p99_ms"],
        "p99_growth": round(results["large"]["p99_ms"] / results["small"]["p99_ms"], 2), "goal_growth": "<= 2.0",
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
