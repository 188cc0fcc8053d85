"""GET /api/v1/standards/{id}/suggestions and `flask import crosswalk`, on both engines."""
import json

import pytest
import sqlalchemy as sa

from app.db import Base
from app.models import ClassificationCrosswalk
from app.services import suggestions as service
from tests.api.test_import_commands import import_esco, run_command
from tests.factories import field_errors, problem

ELECTRICAL_SKILLS = [
    {"code": "E1", "title": {"en": "Install electrical wiring and conduit"}, "essential": True},
    {"code": "E2", "title": {"en": "Connect circuit breakers and switches"}, "essential": True},
    {"code": "E3", "title": {"en": "Read electrical wiring diagrams"}, "essential": False},
]


def suggestions(client, standard_id, framework, **query):
    response = client.get(f"/api/v1/standards/{standard_id}/suggestions",
                          query_string={"framework": framework, **query})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_json()


def table_counts(session):
    """Rows in every table the models define: a suggestion must change none of them."""
    return {table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def write_csv(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def origin(api):
    """A Philippine framework with one published electrician standard (ISCO-08 7411)."""
    owner = api.organization("certification_body", "PH")
    framework = api.framework(owner, code="PH-TR", title="TESDA training regulations")
    source = api.standard(owner, framework["id"], publish=True, code="EIM-NC2",
                          title={"en": "Electrical installation and maintenance"},
                          alt_labels={"en": ["electrician", "wireman"]},
                          description={"en": "Installs and maintains electrical wiring in buildings."},
                          isco08="7411", eqf_level=4, skills=ELECTRICAL_SKILLS)
    return owner, framework, source


@pytest.fixture()
def destination(api):
    owner = api.organization("certification_body", "AE")
    return owner, api.framework(owner, code="AE-NOS", title="UAE national occupational standards")


def publish(api, owner, framework, code, title, isco08, skills, **extra):
    return api.standard(owner, framework["id"], publish=True, code=code, title={"en": title}, isco08=isco08,
                        skills=skills, **extra)


def check_explanation(item):
    """The score is the weighted sum of the components, every part in 0..1, and it says it is a suggestion."""
    explanation = item["explanation"]
    weights, components = explanation["weights"], explanation["components"]
    assert item["status"] == "suggestion"
    assert set(weights) == set(components) and "text" in weights
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(0.0 <= value <= 1.0 for value in components.values())
    assert item["score"] == pytest.approx(sum(weights[k] * components[k] for k in weights), abs=1e-3)
    text = explanation["text"]
    # The listed terms are the largest parts of the word cosine, so they add up to at most that cosine.
    assert sum(t["contribution"] for t in text["matched_terms"]) <= text["document_similarity"] + 1e-3
    assert [t["contribution"] for t in text["matched_terms"]] == sorted(
        (t["contribution"] for t in text["matched_terms"]), reverse=True)


# ---------------------------------------------------------------- ranking

def test_text_evidence_picks_the_electrician_and_explains_it(api, client, session, origin, destination):
    _, _, source = origin
    owner, framework = destination
    electrician = publish(api, owner, framework, "AE-ELEC", "Electrician", None, [
        {"code": "A1", "title": {"en": "Install electrical wiring, conduit and cable trays"}, "essential": True},
        {"code": "A2", "title": {"en": "Test circuit breakers"}, "essential": True},
    ], alt_labels={"en": ["building electrician"]})
    publish(api, owner, framework, "AE-PLMB", "Plumber", None, [
        {"code": "A3", "title": {"en": "Install water pipes and drainage"}, "essential": True}])
    publish(api, owner, framework, "AE-COOK", "Cook", None, [
        {"code": "A4", "title": {"en": "Prepare meals in a commercial kitchen"}, "essential": True}])
    before = table_counts(session)

    body = suggestions(client, source["id"], framework["code"])
    assert body["status"] == "suggestion" and "not mappings" in body["note"]
    assert body["source"]["id"] == source["id"] and body["framework"]["id"] == framework["id"]
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 20)
    top = body["items"][0]
    assert (top["id"], top["code"], top["title"], top["rank"]) == (electrician["id"], "AE-ELEC", {"en": "Electrician"}, 1)
    assert top["framework"]["code"] == "AE-NOS"
    # No target has an ISCO code, EQF level or crosswalk: text is the only evidence, and says so.
    assert top["explanation"]["weights"] == {"text": 1.0}
    text = top["explanation"]["text"]
    assert {"electrician", "electrical", "wiring"} <= {t["term"] for t in text["matched_terms"]}
    assert text["best_label_match"] == {"source": "electrician", "target": "Electrician", "similarity": 1.0}
    assert text["shared_skills"][0]["source"] == "Install electrical wiring and conduit"
    assert text["shared_skills"][0]["target"] == "Install electrical wiring, conduit and cable trays"
    assert top["score"] > body["items"][1]["score"] >= body["items"][2]["score"] >= 0
    for item in body["items"]:
        check_explanation(item)
    assert table_counts(session) == before  # a suggestion creates nothing


def test_isco_groups_order_candidates_with_the_same_text(api, client, origin, destination):
    _, _, source = origin
    owner, framework = destination
    skills = [{"code": "B1", "title": {"en": "Assemble installations"}, "essential": True}]
    # Four standards alike in text; only their ISCO-08 codes differ from the source's 7411.
    for code, isco in (("AE-5120", "5120"), ("AE-7421", "7421"), ("AE-7412", "7412"), ("AE-7411", "7411")):
        publish(api, owner, framework, code, "Installer", isco, skills)
    items = suggestions(client, source["id"], framework["id"])["items"]
    assert [i["code"] for i in items] == ["AE-7411", "AE-7412", "AE-7421", "AE-5120"]
    assert [i["explanation"]["components"]["isco"] for i in items] == [1.0, 0.5, 0.25, 0.0]
    assert [i["explanation"]["isco"]["shared_digits"] for i in items] == [4, 3, 2, 0]
    # Text, ISCO group and level (ISCO-08 major group 7 against the source's EQF level) apply.
    assert items[0]["explanation"]["weights"] == pytest.approx({"text": 0.88, "isco": 0.10, "level": 0.02})
    for item in items:
        check_explanation(item)


def test_isco_evidence_can_outweigh_a_small_text_lead(api, client, origin, destination):
    _, _, source = origin
    owner, framework = destination
    publish(api, owner, framework, "AE-WIRE", "Wiring installer", "9329",
            [{"code": "C1", "title": {"en": "Install wiring"}, "essential": True}])
    publish(api, owner, framework, "AE-ELEC", "Wiring fitter", "7411",
            [{"code": "C2", "title": {"en": "Fit wiring"}, "essential": True}])
    items = suggestions(client, source["id"], framework["id"])["items"]
    text = {i["code"]: i["explanation"]["components"]["text"] for i in items}
    assert text["AE-WIRE"] > text["AE-ELEC"]  # the wrong group has the better text...
    assert items[0]["code"] == "AE-ELEC"  # ...and the same ISCO group wins


def test_crosswalk_connects_isco_to_soc_coded_standards(api, app, client, origin, tmp_path):
    _, _, source = origin
    owner = api.organization("recognition_authority", "US")
    framework = api.framework(owner, code="US-SOC", title="US occupations")
    skills = [{"code": "D1", "title": {"en": "Perform installation work"}, "essential": True}]
    for code in ("47-2111.00", "47-2152.00", "15-1252.00", "53-7062.00"):
        publish(api, owner, framework, code, "Installation worker", None, skills)
    crosswalk = write_csv(tmp_path / "bls.csv", [
        "isco08_code,isco08_title,part,soc2010_code,soc2010_title,comment",
        "7411,Building and related electricians,*,47-2111,Electricians,",
        "7411,Building and related electricians,*,15-1132,\"Software Developers, Applications\",",
        "7126,Plumbers and pipe fitters,,47-2152,\"Plumbers, Pipefitters, and Steamfitters\",",
    ])
    exit_code, report = run_command(app, "import", "crosswalk", crosswalk, "--from", "isco08", "--to", "soc2010")
    assert exit_code == 0 and report["pairs"]["created"] == 3

    items = suggestions(client, source["id"], "US-SOC")["items"]
    by_code = {i["code"]: i for i in items}
    assert items[0]["code"] == "47-2111.00"
    top = items[0]["explanation"]
    assert top["components"]["crosswalk"] == 1.0
    assert top["crosswalk"]["target_via"] == {"soc_code": "47-2111", "via": "soc2010 47-2111", "match": "exact code",
                                              "partial": True}
    # No level here (US-SOC levels follow no known scheme): text and crosswalk share the weight.
    assert top["weights"] == pytest.approx({"text": 0.88 / 0.98, "crosswalk": 0.10 / 0.98}, abs=1e-5)
    # 15-1252 is a SOC 2018 code the 2010 table lacks: its broad group 15-125 is absent too, so the
    # minor group 15-1 (15-1132, mapped from 7411) connects it at a quarter of the confidence.
    assert by_code["15-1252.00"]["explanation"]["crosswalk"]["target_via"]["match"] == "same SOC minor group"
    assert by_code["15-1252.00"]["explanation"]["components"]["crosswalk"] == 0.25
    # 47-2152 maps to 7126, which shares only its major group (one digit) with 7411: no evidence.
    assert by_code["47-2152.00"]["explanation"]["components"]["crosswalk"] == 0.0
    assert by_code["53-7062.00"]["explanation"]["components"]["crosswalk"] == 0.0
    assert [i["code"] for i in items[1:]] == ["15-1252.00", "47-2152.00", "53-7062.00"]
    for item in items:
        check_explanation(item)


def test_levels_compare_as_isco_skill_levels(api, client, origin, destination):
    _, _, source = origin  # EQF 4: ISCO-08 skill level 2
    owner, framework = destination
    skills = [{"code": "F1", "title": {"en": "Do the job"}, "essential": True}]
    publish(api, owner, framework, "AE-L2", "Worker", None, skills, eqf_level=3)
    publish(api, owner, framework, "AE-L6", "Worker", None, skills, eqf_level=6)
    publish(api, owner, framework, "AE-LX", "Worker", None, skills)
    items = suggestions(client, source["id"], framework["id"])["items"]
    assert [i["code"] for i in items] == ["AE-L2", "AE-LX", "AE-L6"]
    assert [i["explanation"]["components"]["level"] for i in items] == [1.0, 0.5, 0.0]
    assert items[1]["explanation"]["level"]["target"] is None  # unknown: neutral
    assert items[2]["explanation"]["level"]["distance"] == 2


def test_pages_drafts_retired_and_the_source_itself_are_left_out(api, client, origin):
    owner, framework, source = origin
    for n in range(5):
        publish(api, owner, framework, f"EL-{n}", f"Electrician grade {n}", "7411", ELECTRICAL_SKILLS[:1])
    api.standard(owner, framework["id"], code="EL-DRAFT", title={"en": "Electrician draft"}, isco08="7411")
    retired = publish(api, owner, framework, "EL-OLD", "Electrician (old)", "7411", ELECTRICAL_SKILLS[:1])
    assert client.post(f"/api/v1/standards/{retired['id']}/retire", headers=owner.headers).status_code == 200

    # Within its own framework: the source, the draft and the retired standard are no candidates.
    first = suggestions(client, source["id"], framework["id"], per_page=2)
    second = suggestions(client, source["id"], framework["id"], per_page=2, page=2)
    last = suggestions(client, source["id"], framework["id"], per_page=2, page=3)
    assert first["total"] == second["total"] == 5
    codes = [i["code"] for i in first["items"] + second["items"] + last["items"]]
    assert sorted(codes) == [f"EL-{n}" for n in range(5)]
    assert [i["rank"] for i in first["items"] + second["items"] + last["items"]] == [1, 2, 3, 4, 5]
    assert suggestions(client, source["id"], framework["id"], page=9)["items"] == []


def test_the_index_is_reused_until_published_content_changes(api, client, origin, destination, session):
    _, _, source = origin
    owner, framework = destination
    publish(api, owner, framework, "AE-COOK", "Cook", None, [{"code": "G1", "title": {"en": "Cook"}, "essential": True}])
    assert [i["code"] for i in suggestions(client, source["id"], framework["id"])["items"]] == ["AE-COOK"]
    framework_row = service.resolve_framework(session, framework["id"])
    built = service.framework_index(session, framework_row)
    assert service.framework_index(session, framework_row) is built  # unchanged: not rebuilt

    publish(api, owner, framework, "AE-ELEC", "Electrician", None, ELECTRICAL_SKILLS)
    assert [i["code"] for i in suggestions(client, source["id"], framework["id"])["items"]] == ["AE-ELEC", "AE-COOK"]
    assert service.framework_index(session, framework_row) is not built


# ---------------------------------------------------------------- errors

def test_unknown_or_unpublished_source_is_404(api, client, origin, destination):
    owner, framework, _ = origin
    problem(client.get("/api/v1/standards/00000000-0000-4000-8000-000000000000/suggestions?framework=AE-NOS"), 404)
    draft = api.standard(owner, framework["id"], code="EIM-DRAFT")
    body = problem(client.get(f"/api/v1/standards/{draft['id']}/suggestions?framework=AE-NOS",
                              headers=owner.headers), 404)
    assert "not published" in body["detail"]


def test_missing_unknown_or_ambiguous_framework_is_422(api, client, origin):
    _, _, source = origin
    body = problem(client.get(f"/api/v1/standards/{source['id']}/suggestions"), 422)
    assert "framework" in field_errors(body)
    body = problem(client.get(f"/api/v1/standards/{source['id']}/suggestions?framework=NO-SUCH"), 422)
    assert field_errors(body) == {"framework": ["no framework with this id or code"]}
    body = problem(client.get(f"/api/v1/standards/{source['id']}/suggestions"
                              f"?framework=00000000-0000-4000-8000-000000000000"), 422)
    assert "framework" in field_errors(body)
    for country in ("AE", "QA"):
        api.framework(api.organization("certification_body", country), code="NOS")
    body = problem(client.get(f"/api/v1/standards/{source['id']}/suggestions?framework=NOS"), 422)
    assert field_errors(body)["framework"][0].startswith("ambiguous code")


def test_suggestions_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/standards/{standard_id}/suggestions"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"framework", "page", "per_page"}


# ---------------------------------------------------------------- crosswalk import

BLS_HEADER = "isco08_code,isco08_title,part,soc2010_code,soc2010_title,comment"


def test_crosswalk_import_is_idempotent_and_replaces_the_pair(app, session, tmp_path):
    path = write_csv(tmp_path / "bls.csv", [
        BLS_HEADER,
        "7411,Building and related electricians,*,47-2111,Electricians,",
        "211,Physical and earth science professionals,,19-2099,\"Physical Scientists, All Other\",matches to 3-digit ISCO",
    ])
    exit_code, report = run_command(app, "import", "crosswalk", path, "--from", "isco08", "--to", "soc2010")
    assert exit_code == 0
    assert report == {"status": "imported", "from": "isco08", "to": "soc2010",
                      "pairs": {"created": 2, "updated": 0, "unchanged": 0, "removed": 0}}
    rows = session.execute(sa.select(ClassificationCrosswalk.from_code, ClassificationCrosswalk.to_code,
                                     ClassificationCrosswalk.partial, ClassificationCrosswalk.note)
                           .order_by(ClassificationCrosswalk.from_code)).all()
    assert rows == [("211", "19-2099", False, "matches to 3-digit ISCO"), ("7411", "47-2111", True, None)]

    exit_code, again = run_command(app, "import", "crosswalk", path, "--from", "isco08", "--to", "soc2010")
    assert exit_code == 0 and again["pairs"] == {"created": 0, "updated": 0, "unchanged": 2, "removed": 0}
    assert session.scalar(sa.select(sa.func.count()).select_from(ClassificationCrosswalk)) == 2

    # A corrected edition: one pair changed, one withdrawn, one added.
    path = write_csv(tmp_path / "bls.csv", [
        BLS_HEADER,
        "7411,Building and related electricians,,47-2111,Electricians,now complete",
        "7412,Electrical mechanics and fitters,*,49-2092,Electric Motor Repairers,",
    ])
    exit_code, edited = run_command(app, "import", "crosswalk", path, "--from", "isco08", "--to", "soc2010")
    assert exit_code == 0 and edited["pairs"] == {"created": 1, "updated": 1, "unchanged": 0, "removed": 1}
    assert session.scalar(sa.select(sa.func.count()).select_from(ClassificationCrosswalk)) == 2


@pytest.mark.parametrize(("lines", "row", "reason"), [
    (["isco08_code,part,soc_code", "7411,*,47-2111"], 1, "missing column(s): soc2010_code"),
    ([BLS_HEADER, "7411,a,*,47-2111,b,", "74111,a,*,47-2111,b,"], 3, "from code '74111' is not a isco08 code"),
    ([BLS_HEADER, "7411,a,*,47-2111,b,", "7412,a,*,472112,b,"], 3, "to code '472112' is not a soc2010 code"),
    ([BLS_HEADER, "7411,a,partly,47-2111,b,"], 2, "part 'partly' is neither empty nor '*'"),
    ([BLS_HEADER, "7411,a,*,47-2111,b,", "7411,a,,47-2111,b,"], 3, "pair 7411 -> 47-2111 already given in row 2"),
    ([BLS_HEADER, "7411,a,*,47-2111"], 2, "row has 4 fields, the header has 6"),
    ([BLS_HEADER], 2, "no data rows"),
])
def test_a_malformed_crosswalk_is_refused_and_nothing_is_written(app, session, tmp_path, lines, row, reason):
    good = write_csv(tmp_path / "good.csv", [BLS_HEADER, "7411,a,*,47-2111,b,"])
    assert run_command(app, "import", "crosswalk", good, "--from", "isco08", "--to", "soc2010")[0] == 0
    before = table_counts(session)
    bad = write_csv(tmp_path / "bad.csv", lines)
    exit_code, report = run_command(app, "import", "crosswalk", bad, "--from", "isco08", "--to", "soc2010")
    assert exit_code == 1
    assert report["status"] == "refused" and report["nothing_written"] is True
    assert (report["file"], report["row"], report["reason"]) == ("bad.csv", row, reason)
    assert table_counts(session) == before  # the earlier import is intact too


def test_crosswalk_columns_can_be_named(app, session, tmp_path):
    path = write_csv(tmp_path / "statcan.csv", [
        "noc2011,noc2011_title,isco2008,isco2008_title,Explanatory_notes",
        "7241,Electricians (except industrial and power system),7411,Building and related electricians,",
    ])
    exit_code, report = run_command(app, "import", "crosswalk", path, "--from", "noc2011", "--to", "isco08",
                                    "--to-column", "isco2008")
    assert exit_code == 0 and report["pairs"]["created"] == 1
    assert session.scalar(sa.select(ClassificationCrosswalk.to_code)) == "7411"


# ---------------------------------------------------------------- real data

@pytest.mark.slow
def test_domestic_electrician_finds_onet_electricians(app, client, session, shared_data):
    assert import_esco(app, shared_data)[0] == 0
    assert run_command(app, "import", "onet", shared_data / "onet-29.1")[0] == 0
    exit_code, report = run_command(app, "import", "crosswalk", shared_data / "crosswalks" / "isco08_soc2010_bls.csv",
                                    "--from", "isco08", "--to", "soc2010")
    assert exit_code == 0 and report["pairs"]["created"] == 1125
    domestic = client.get("/api/v1/standards", query_string={"q": "domestic electrician", "framework": "ESCO"})
    source = next(item for item in domestic.get_json()["items"] if item["code"] == "7411.1.1.1")
    before = table_counts(session)
    body = suggestions(client, source["id"], "ONET-SOC", per_page=10)
    codes = [item["code"] for item in body["items"]]
    assert "47-2111.00" in codes, json.dumps(body["items"][:3], indent=1)[:2000]
    assert body["total"] == 1016
    electricians = body["items"][codes.index("47-2111.00")]
    assert electricians["title"] == {"en": "Electricians"}
    assert electricians["explanation"]["crosswalk"]["target_via"]["via"] == "soc2010 47-2111"
    for item in body["items"]:
        check_explanation(item)
    assert table_counts(session) == before
