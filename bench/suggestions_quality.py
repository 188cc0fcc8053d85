"""Suggestion quality and latency: ESCO occupations ranked against all of O*NET, scored on the official crosswalk.

    .venv/bin/python bench/suggestions_quality.py [--keep]

Loads the full ESCO v1.1.0 and O*NET 29.1 registry plus the BLS ISCO-08 -> SOC 2010 crosswalk into a
fresh SQLite file, then, for each of the 564 ESCO occupations of the official ESCO -> O*NET-SOC 2019
crosswalk sample (crosswalks/esco_onet_crosswalk_dev.csv, used here only to measure), ranks all 1,016
O*NET occupations with the suggestion service in-process, and prints P@1, R@5, R@10 and MRR, per
ablation of the weights and per half of the ISCO groups (the weights were chosen on the first half).
Baseline, measured in the same run: the naive chain ESCO ISCO-08 group -> BLS table -> SOC 2010 code
-> every O*NET occupation with that SOC code. Latency is that of the full HTTP answer (Flask test
client, one page of 20 with explanations) on the loaded registry; targets: R@10 >= 0.9, P@1 >= 0.7,
every answer < 1 s.
"""
import argparse
import csv
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
RESULTS.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("REGISTRY_INSTANCE_DIR", str(RESULTS / "instance"))
os.environ.setdefault("LOG_LEVEL", "WARNING")  # 564 access-log lines would bury the report

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ESCO = DATA / "esco-v1.1.0"
DEV_CROSSWALK = DATA / "crosswalks" / "esco_onet_crosswalk_dev.csv"
BLS = DATA / "crosswalks" / "isco08_soc2010_bls.csv"
DATABASE = RESULTS / "suggestions-registry.sqlite3"
TARGETS = {"P@1": 0.7, "R@10": 0.9}
LATENCY_LIMIT_MS = 1000.0

DEFINITIONS = """\
Definitions (over the 564 ESCO occupations of the dev crosswalk; gold(o) = its official O*NET codes):
  P@1   share of occupations whose top-ranked O*NET occupation is in gold(o)
  R@k   mean over occupations of |top-k(o) & gold(o)| / |gold(o)|  (macro recall of the official pairs;
        {over5} occupations have more than 5 official matches and {over10} more than 10, so the
        ceilings are R@5 = {ceiling5:.3f} and R@10 = {ceiling10:.3f})
  MRR   mean over occupations of 1 / rank of the first official match in the full ranking of 1,016
  chain precision = correct pairs / pairs the chain proposes, recall = correct pairs / 1,434 official pairs
"""


def migrate(url):
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "heads")


def load_registry(app):
    """Import ESCO, O*NET and the BLS crosswalk as the CLI does, in one transaction."""
    from app.cli_imports import ESCO_PUBLISHER, ONET_PUBLISHER
    from app.importers.crosswalk import read_crosswalk
    from app.importers.esco import read_esco
    from app.importers.onet import read_onet
    from app.services.crosswalks import import_crosswalk
    from app.services.imports import apply_bundle
    from app.services.publishers import resolve_publisher

    session = app.extensions["registry"].sessionmaker()
    started = time.perf_counter()
    org = resolve_publisher(session, None, *ESCO_PUBLISHER)
    apply_bundle(session, org.id, read_esco(ESCO / "ESCO dataset - v1.1.0 - classification - en - csv.zip",
                                            ESCO / "ESCO dataset - v1.1.0 - classification - relations - csv.zip"))
    org = resolve_publisher(session, None, *ONET_PUBLISHER)
    apply_bundle(session, org.id, read_onet(DATA / "onet-29.1"))
    import_crosswalk(session, "isco08", "soc2010", read_crosswalk(BLS, "isco08", "soc2010"))
    session.commit()
    session.close()
    print(f"loaded ESCO, O*NET and the BLS crosswalk in {time.perf_counter() - started:.1f} s", flush=True)


def read_gold():
    gold = defaultdict(set)
    with open(DEV_CROSSWALK, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            gold[row["esco_code"]].add(row["onet_code"])
    return dict(gold)


def standard_ids(session, framework_code):
    from app.models import Framework, Standard

    return dict(session.execute(sa.select(Standard.code, Standard.id).join(Framework)
                                .where(Framework.code == framework_code)).all())


def metrics(rankings, gold, codes):
    """P@1, R@5, R@10 and MRR of {ESCO code: ranked O*NET codes} over `codes`."""
    p1 = r5 = r10 = mrr = 0.0
    for code in codes:
        ranked, wanted = rankings[code], gold[code]
        p1 += ranked[0] in wanted
        r5 += len(set(ranked[:5]) & wanted) / len(wanted)
        r10 += len(set(ranked[:10]) & wanted) / len(wanted)
        mrr += next((1.0 / (i + 1) for i, c in enumerate(ranked) if c in wanted), 0.0)
    n = len(codes)
    return {"P@1": p1 / n, "R@5": r5 / n, "R@10": r10 / n, "MRR": mrr / n}


def chain_baseline(session, gold, isco_of, onet_codes):
    """Precision and recall of ESCO ISCO-08 group -> BLS SOC 2010 codes -> O*NET codes with that SOC code."""
    from app.models import ClassificationCrosswalk as cw

    socs = defaultdict(set)
    for isco, soc in session.execute(sa.select(cw.from_code, cw.to_code)
                                     .where(cw.from_system == "isco08", cw.to_system == "soc2010")):
        socs[isco].add(soc)
    proposed = correct = 0
    for code, wanted in gold.items():
        guesses = {onet for onet in onet_codes if onet[:7] in socs.get(isco_of[code], ())}
        proposed += len(guesses)
        correct += len(guesses & wanted)
    pairs = sum(len(wanted) for wanted in gold.values())
    return {"precision": correct / proposed, "recall": correct / pairs, "proposed": proposed, "correct": correct}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse the loaded registry of an earlier run")
    args = parser.parse_args()
    if not DEV_CROSSWALK.is_file():
        sys.exit(f"needs the real data in {DATA}")
    from app import create_app
    from app.models import Standard, StandardVersion
    from app.services import suggestions

    url = f"sqlite:///{DATABASE}"
    if not (args.keep and DATABASE.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
        migrate(url)
        app = create_app("development", {"DATABASE_URL": url})
        load_registry(app)
    else:
        app = create_app("development", {"DATABASE_URL": url})
    sessionmaker = app.extensions["registry"].sessionmaker
    gold = read_gold()

    session = sessionmaker()
    esco_ids, onet_ids = standard_ids(session, "ESCO"), standard_ids(session, "ONET-SOC")
    isco_of = dict(session.execute(sa.select(Standard.code, StandardVersion.isco08)
                                   .join(Standard, StandardVersion.standard_id == Standard.id)
                                   .where(Standard.id.in_(list(esco_ids.values())), StandardVersion.is_public_head)
                                   ).all())
    baseline = chain_baseline(session, gold, isco_of, sorted(onet_ids))
    session.close()
    codes = sorted(gold)
    groups = sorted({isco_of[c] for c in codes})
    tuning_groups = set(groups[0::2])  # the half of the ISCO groups the weights were chosen on
    halves = {"tuning half": [c for c in codes if isco_of[c] in tuning_groups],
              "check half": [c for c in codes if isco_of[c] not in tuning_groups]}
    print(f"{len(codes)} ESCO occupations, {sum(len(gold[c]) for c in codes)} official pairs, "
          f"{len(onet_ids)} O*NET candidates each; {len(groups)} ISCO groups split in halves of "
          f"{len(halves['tuning half'])} and {len(halves['check half'])} occupations", flush=True)

    # Cold start: the first request builds the O*NET index.
    session = sessionmaker()
    started = time.perf_counter()
    suggestions.clear_cache()
    applied_weights = suggestions.suggest(session, esco_ids[codes[0]], "ONET-SOC")["weights"]
    cold_ms = (time.perf_counter() - started) * 1000
    index = suggestions.framework_index(session, suggestions.resolve_framework(session, "ONET-SOC"))
    session.close()
    print(f"index build {index.built_seconds:.2f} s ({len(index.entries)} standards); first answer "
          f"{cold_ms:.0f} ms", flush=True)

    variants = [
        ("crosswalk only", {"crosswalk": 1.0}),
        ("text only", {"text": 1.0}),
        ("text + level", {"text": 0.88, "level": 0.02}),
        ("text + crosswalk", {"text": 0.88, "crosswalk": 0.10}),
        ("shipped weights", suggestions.BASE_WEIGHTS),
    ]
    results = {}
    for label, weights in variants:
        rankings = {}
        session = sessionmaker()
        for code in codes:
            rankings[code] = suggestions.rank(session, esco_ids[code], "ONET-SOC", base_weights=weights).codes()
        session.close()
        results[label] = {"all": metrics(rankings, gold, codes),
                          **{name: metrics(rankings, gold, part) for name, part in halves.items()}}
        print(f"  ranked with {label}", flush=True)

    client = app.test_client()
    latencies = []
    for code in codes:
        started = time.perf_counter()
        response = client.get(f"/api/v1/standards/{esco_ids[code]}/suggestions?framework=ONET-SOC")
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"suggestions for {code} answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    latencies.sort()

    sizes = [len(gold[c]) for c in codes]
    print()
    print(DEFINITIONS.format(over5=sum(s > 5 for s in sizes), over10=sum(s > 10 for s in sizes),
                             ceiling5=statistics.mean(min(s, 5) / s for s in sizes),
                             ceiling10=statistics.mean(min(s, 10) / s for s in sizes)))
    print(f"weights shipped: {suggestions.BASE_WEIGHTS}, renormalised over the components that apply; "
          f"ESCO -> O*NET: {applied_weights}")
    print()
    print(f"{'ranking':<18}{'subset':<13}{'P@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}")
    for label, by_subset in results.items():
        for subset, values in by_subset.items():
            print(f"{label if subset == 'all' else '':<18}{subset:<13}"
                  + "".join(f"{values[name]:>7.3f}" for name in ("P@1", "R@5", "R@10", "MRR")))
    print(f"\nbaseline chain ESCO ISCO-08 -> BLS SOC 2010 -> O*NET: precision {baseline['precision']:.3f}, "
          f"recall {baseline['recall']:.3f} ({baseline['correct']} correct of {baseline['proposed']} proposed pairs)")
    shipped = results["shipped weights"]["all"]
    print(f"ratio to the chain's recall: R@10 {shipped['R@10'] / baseline['recall']:.2f}x")
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
    print(f"\nlatency per answer (GET .../suggestions?framework=ONET-SOC, page of 20 with explanations, "
          f"{len(latencies)} requests, warm index): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"index build {index.built_seconds:.2f} s; first (cold) answer {cold_ms:.0f} ms")
    verdicts = [f"{name} {shipped[name]:.3f} {'met' if shipped[name] >= goal else 'NOT met'} (target {goal})"
                for name, goal in TARGETS.items()]
    verdicts.append(f"max latency {latencies[-1]:.0f} ms {'met' if latencies[-1] < LATENCY_LIMIT_MS else 'NOT met'} "
                    f"(target < {LATENCY_LIMIT_MS:.0f} ms)")
    print("targets: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
