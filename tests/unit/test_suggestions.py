"""Suggestion scoring parts: text index, ISCO groups, SOC fallbacks, weights, levels, crosswalk reader."""
import subprocess
import sys
import uuid

import pytest

from app.errors import ImportRejected
from app.importers.crosswalk import read_crosswalk
from app.services import suggestions as service
from app.services.suggestion_index import TextDocument, TextIndex, text_score, word_terms
from config import PROJECT_ROOT


def entry(code="X", isco08=None, eqf_level=None, level=None, names=("x",), skills=()):
    return service.Entry(standard_id=uuid.uuid4(), version_id=uuid.uuid4(), code=code, version=1,
                         title={"en": names[0]}, level=level, eqf_level=eqf_level, isco08=isco08, uri=None,
                         names=list(names), description="", skills=list(skills))


# ---------------------------------------------------------------- text

def test_word_terms_fold_plurals_and_keep_bigrams_inside_a_line():
    terms = word_terms(["Electricians install wiring", "Batteries"])
    assert terms == ["electrician", "install", "wiring", "electrician install", "install wiring", "battery"]
    assert "wiring battery" not in terms  # no phrase across two skill titles
    assert word_terms(["Crosses the bus"]) == ["cross", "bus", "cross bus"]  # "the" is a stop word


def test_text_index_ranks_by_cosine_and_explains_with_terms():
    documents = [
        TextDocument(["Electrician"], "Installs electrical wiring.", ["Install wiring", "Test circuits"]),
        TextDocument(["Plumber"], "Installs pipes.", ["Install pipes"]),
        TextDocument(["Cook"], "Cooks meals.", ["Prepare food"]),
    ]
    index = TextIndex(documents)
    query = index.query(TextDocument(["electricians"], "", ["wiring of circuits"]))
    assert query.document_similarity.argmax() == 0 and query.name_similarity.argmax() == 0
    assert query.document_similarity[2] == 0 and query.score[2] == 0
    assert 0 < query.score[0] < 1
    terms = index.matched_terms(query, 0, limit=50)
    assert {t["term"] for t in terms} == {"electrician", "wiring", "circuit"}
    # Every shared term listed: their contributions add up to the cosine itself.
    assert sum(t["contribution"] for t in terms) == pytest.approx(query.document_similarity[0], abs=1e-3)
    [evidence] = index.explain(query, ["electricians"], [("wiring of circuits", True)],
                               [(0, documents[0].names, [("Install wiring", True), ("Test circuits", False)])])
    assert evidence["best_label_match"]["target"] == "Electrician"
    assert evidence["shared_skills"][0]["source"] == "wiring of circuits"


def test_text_score_saturates_into_zero_one():
    import numpy as np

    scores = text_score(np.array([0.0, 0.05, 0.15, 0.3, 1.0]))
    assert scores[0] == 0 and all(a < b for a, b in zip(scores, scores[1:])) and scores[-1] < 1
    assert scores[2] == pytest.approx(0.632, abs=1e-3)  # 1 - 1/e at the scale


# ---------------------------------------------------------------- structure

def test_isco_group_scores_by_shared_leading_digits():
    assert [service._group_score("7411", other) for other in ("7411", "7412", "7421", "7111", "5120")] == \
        [1.0, 0.5, 0.25, 0.0, 0.0]
    assert service._group_score("2111", "211") == 0.5  # BLS maps some SOC codes to a 3-digit group


def test_soc_codes_fall_back_to_broad_then_minor_group():
    soc_map = service.SocMap([("soc2010", "47-2111", "7411", True), ("soc2010", "15-1132", "2512", True),
                              ("soc2010", "15-1134", "2513", False)])
    exact = soc_map.isco_for("47-2111")
    assert exact == {"7411": (1.0, {"soc_code": "47-2111", "via": "soc2010 47-2111", "match": "exact code",
                                    "partial": True})}
    broad = soc_map.isco_for("15-1133")  # not in the table; its broad group 15-113 is
    assert {code: confidence for code, (confidence, _) in broad.items()} == {"2512": 0.5, "2513": 0.5}
    minor = soc_map.isco_for("15-1252")  # SOC 2018 renumbering: only the minor group 15-1 is shared
    assert {code: how["match"] for code, (_, how) in minor.items()} == {"2512": "same SOC minor group",
                                                                         "2513": "same SOC minor group"}
    assert soc_map.isco_for("53-7062") == {}


def test_skill_levels_come_from_eqf_job_zones_or_the_isco_major_group():
    soc_map = service.SocMap([])
    onet = entry(code="47-2111.00", level="3")
    service._add_structure(onet, "ONET-SOC", soc_map)
    assert (onet.skill_level, onet.skill_level_source) == ((2, 3), "Job Zone 3")
    other = entry(code="47-2111.00", level="3")
    service._add_structure(other, "US-OTHER", soc_map)  # a level of an unknown scheme is not read
    assert other.skill_level is None
    both = entry(isco08="2512", eqf_level=5)
    service._add_structure(both, "X", soc_map)
    assert (both.skill_level, both.skill_level_source) == ((3,), "EQF level 5")  # EQF is the more specific
    officer = entry(isco08="0110")
    service._add_structure(officer, "X", soc_map)
    assert officer.skill_level == (4,)  # commissioned armed forces officers


def test_weights_renormalise_over_the_components_that_apply():
    def index(**flags):
        defaults = {"any_native_isco": False, "any_crosswalked_isco": False, "any_skill_level": False}
        return service.FrameworkIndex(uuid.uuid4(), (), [], None, 0.0, **{**defaults, **flags})

    native = entry(isco08="7411")
    native.skill_level = (2,)
    assert service._weights(entry(), index(), service.BASE_WEIGHTS) == {"text": 1.0}
    weights = service._weights(native, index(any_crosswalked_isco=True, any_skill_level=True), service.BASE_WEIGHTS)
    assert weights == {"text": 0.88, "crosswalk": 0.1, "level": 0.02}
    weights = service._weights(native, index(any_native_isco=True), service.BASE_WEIGHTS)
    assert weights == pytest.approx({"text": 0.88 / 0.98, "isco": 0.10 / 0.98}, abs=1e-5)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)


# ---------------------------------------------------------------- crosswalk reader

def test_the_bls_table_reads_as_published(shared_data):
    records = read_crosswalk(shared_data / "crosswalks" / "isco08_soc2010_bls.csv", "isco08", "soc2010")
    assert len(records) == 1125
    assert sum(r.partial for r in records) == 970
    assert {r.from_code for r in records if len(r.from_code) == 3} == {"211", "315"}
    first = records[0]
    assert (first.from_code, first.to_code, first.partial, first.to_title) == \
        ("0110", "55-1011", True, "Air Crew Officers")


def test_the_reader_refuses_bad_system_names(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a_code,b_code\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="is not a classification name"):
        read_crosswalk(path, "ISCO 08", "soc2010")
    with pytest.raises(ImportRejected, match="two different classifications"):
        read_crosswalk(path, "isco08", "isco08")


# ---------------------------------------------------------------- start-up

def test_the_app_starts_without_importing_scikit_learn():
    code = "import sys, wsgi; print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env={"REGISTRY_ENV": "testing", "PATH": "/usr/bin:/bin"}, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
