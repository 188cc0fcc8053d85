"""GET /api/v1/standards?q= on a registry holding all of ESCO and O*NET, under gunicorn.

Baseline, measured in the same run under the same gunicorn settings (2 sync workers) and the same
wrk load (2 threads, 32 connections): a bare Flask JSON endpoint (bench/bare_app.py).
Goal: search requests per second at least 0.2 times the baseline. Reports p50 and p99.

    .venv/bin/python bench/search_gunicorn.py [--engine sqlite|postgresql|both] [--seconds 10] [--rounds 3]
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
RESULTS.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REGISTRY_INSTANCE_DIR", str(RESULTS / "instance"))

from bench import harness  # noqa: E402

# Realistic searches: single words, prefixes, two-word queries, some with filters.
QUERIES = [
    "q=electrician", "q=nurse", "q=software%20developer", "q=welder", "q=teacher", "q=cook",
    "q=truck%20driver", "q=accountant", "q=plumber", "q=mechanic", "q=care", "q=construction",
    "q=sales%20manager", "q=electric&country=US", "q=engineer&isco08=21", "q=maintenance", "q=farm",
    "q=data", "q=machine%20operator", "q=customer%20service", "q=baker", "q=pilot", "q=security",
    "q=hotel%20receptionist",
]


def load_registry(database_url):
    """Import the full ESCO and O*NET data sets into the database (once per run)."""
    from app import create_app
    from app.cli_imports import ESCO_PUBLISHER, ONET_PUBLISHER
    from app.importers.esco import read_esco
    from app.importers.onet import read_onet
    from app.services.imports import apply_bundle
    from app.services.publishers import resolve_publisher

    esco = harness.SHARED_DATA / "esco-v1.1.0"
    app = create_app("development", {"DATABASE_URL": database_url})
    with app.app_context():
        session = app.extensions["registry"].sessionmaker()
        started = time.perf_counter()
        org = resolve_publisher(session, None, *ESCO_PUBLISHER)
        apply_bundle(session, org.id, read_esco(str(esco / "ESCO dataset - v1.1.0 - classification - en - csv.zip"),
                                                str(esco / "ESCO dataset - v1.1.0 - classification - relations - csv.zip")))
        org = resolve_publisher(session, None, *ONET_PUBLISHER)
        apply_bundle(session, org.id, read_onet(str(harness.SHARED_DATA / "onet-29.1")))
        session.commit()
        session.close()
    app.extensions["registry"].engine.dispose()
    print(f"  loaded ESCO and O*NET in {time.perf_counter() - started:.1f} s", flush=True)


def measure(database_url, seconds, rounds, label):
    env = harness.server_env(database_url, RESULTS / "instance", "http://127.0.0.1:8000")
    script = harness.write_lua_paths(RESULTS / "search-paths.lua", [f"/api/v1/standards?{q}" for q in QUERIES])
    bare_runs, search_runs = [], []
    with harness.gunicorn("bench.bare_app:app", env, ready_path="/hello") as bare, \
            harness.gunicorn("wsgi:app", env, ready_path="/readyz") as registry:
        # Warm both (imports, caches, SQLite page cache) before measuring.
        harness.wrk(bare + "/hello", seconds=2)
        harness.wrk(registry + "/api/v1/standards", seconds=2, script=script)
        for _ in range(rounds):
            bare_runs.append(harness.wrk(bare + "/hello", seconds=seconds))
            search_runs.append(harness.wrk(registry + "/api/v1/standards", seconds=seconds, script=script))
    errors = sum(r["non_2xx"] for r in search_runs + bare_runs)
    bare_rps, search_rps = harness.median_of(bare_runs, "rps"), harness.median_of(search_runs, "rps")
    result = {
        "engine": label, "rounds": rounds, "seconds_per_round": seconds,
        "bare_rps": round(bare_rps), "search_rps": round(search_rps), "ratio": round(search_rps / bare_rps, 3),
        "search_p50_ms": round(harness.median_of(search_runs, "p50_ms"), 2),
        "search_p99_ms": round(harness.median_of(search_runs, "p99_ms"), 2),
        "bare_p50_ms": round(harness.median_of(bare_runs, "p50_ms"), 2),
        "bare_p99_ms": round(harness.median_of(bare_runs, "p99_ms"), 2),
        "non_2xx": errors, "goal": "ratio >= 0.2",
    }
    print(json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    harness.require_wrk()
    if not harness.SHARED_DATA.is_dir():
        sys.exit(f"needs the real data in {harness.SHARED_DATA}")
    if args.engine in ("sqlite", "both"):
        path = RESULTS / "search-registry.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        print("sqlite: migrating and loading", flush=True)
        harness.migrate(url)
        load_registry(url)
        measure(url, args.seconds, args.rounds, "sqlite")
    if args.engine in ("postgresql", "both"):
        with harness.postgres_schema() as url:
            print("postgresql: migrating and loading", flush=True)
            harness.migrate(url)
            load_registry(url)
            measure(url, args.seconds, args.rounds, "postgresql")


if __name__ == "__main__":
    main()
