"""Mapping sets: pinning validated revisions, the content hash, versions, SSSOM/TSV export and import."""
import hashlib
import io
import json
import logging
import math
from datetime import datetime, timezone

import pytest
import rfc8785
import sqlalchemy as sa
from alembic import command

from app import create_app
from app.models import Mapping, MappingRevision
from tests.conftest import TEST_BASE_URL, alembic_config, fresh_database_url
from tests.factories import ApiDriver, field_errors, problem

TSV = "text/tab-separated-values"
ESCO = "http://data.europa.eu/esco"


def make_frameworks(api):
    """Two frameworks (PH origin, AE destination) with published standards; every standard and skill has a URI."""
    ph_body, ae_body = api.organization("certification_body", "PH"), api.organization("certification_body", "AE")
    ph, ae = api.framework(ph_body, code="PH-TR"), api.framework(ae_body, code="AE-NQF")

    def standard(owner, framework, code, title, skills):
        return api.standard(owner, framework["id"], publish=True, code=code, title={"en": title},
                            uri=f"{ESCO}/occupation/{code}", skills=[
                                {"code": s, "title": {"en": f"Skill {s}"}, "essential": True,
                                 "uri": f"{ESCO}/skill/{s}"} for s in skills])

    return {
        "ph_body": ph_body, "ae_body": ae_body, "ph": ph, "ae": ae,
        "electrician": standard(ph_body, ph, "EIM", "Electrician", ["P1", "P2", "P3"]),
        "welder": standard(ph_body, ph, "SMAW", "Welder", ["W1", "W2"]),
        "ae_electrician": standard(ae_body, ae, "AE-ELEC", "Electrician (UAE)", ["U1", "U2"]),
        "ae_welder": standard(ae_body, ae, "AE-WELD", "Welder (UAE)", ["V1", "V2"]),
    }


def skill(standard, code):
    return next(s["id"] for s in standard["skills"] if s["code"] == code)


def map_standards(api, authority, source, target, validate=True, **overrides):
    body = {"source_standard_id": source["id"], "target_standard_id": target["id"], "predicate": "closeMatch"}
    body.update(overrides)
    response = api.client.post("/api/v1/mappings", json=body, headers=authority.headers)
    assert response.status_code == 201, response.get_json()
    mapping = response.get_json()
    if validate:
        reviewed = api.client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"},
                                   headers=authority.headers)
        assert reviewed.status_code == 200, reviewed.get_json()
        mapping = reviewed.get_json()
    return mapping


@pytest.fixture()
def world(api):
    data = make_frameworks(api)
    authority = api.organization("recognition_authority", "AE", name="UAE Ministry of Human Resources")
    electrician, ae_electrician = data["electrician"], data["ae_electrician"]
    data["authority"] = authority
    data["m_electrician"] = map_standards(
        api, authority, electrician, ae_electrician, predicate="closeMatch", confidence=0.85,
        comment='Local "wiring" rules\tdiffer', skill_mappings=[
            {"source_skill_id": skill(electrician, "P1"), "target_skill_id": skill(ae_electrician, "U1"),
             "predicate": "exactMatch"},
            {"source_skill_id": skill(electrician, "P2"), "target_skill_id": skill(ae_electrician, "U2"),
             "predicate": "narrowMatch", "predicate_modifier": "Not"},
        ])
    data["m_welder"] = map_standards(api, authority, data["welder"], data["ae_welder"], predicate="exactMatch",
                                     predicate_modifier="Not", justification="semapv:LexicalMatching")
    return data


def create_set(api, world, mapping_ids=None, **overrides):
    body = {"title": "PH to UAE electrical trades", "source_framework_id": world["ph"]["id"],
            "target_framework_id": world["ae"]["id"],
            "mapping_ids": mapping_ids if mapping_ids is not None else [world["m_electrician"]["id"]]}
    body.update(overrides)
    return api.client.post("/api/v1/mapping-sets", json=body, headers=world["authority"].headers)


def content_timestamp(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def documented_content(client, title, description, license, source_framework_id, target_framework_id, mapping_ids):
    """The content object exactly as services/mapping_sets.py documents it, from public API reads only."""

    def framework(framework_id):
        body = client.get(f"/api/v1/frameworks/{framework_id}").get_json()
        return {"id": body["id"], "code": body["code"], "version": body["version"], "country": body["country"]}

    def mapping(mapping_id):
        m = client.get(f"/api/v1/mappings/{mapping_id}").get_json()
        return {
            "mapping_id": m["id"], "revision": m["revision"],
            "revision_id": None,  # not served by GET /mappings; filled from the set's entries below
            "source": {"standard_id": m["source"]["standard_id"], "version": m["source"]["version"],
                       "code": m["source"]["code"]},
            "target": {"standard_id": m["target"]["standard_id"], "version": m["target"]["version"],
                       "code": m["target"]["code"]},
            "predicate": m["predicate"], "predicate_modifier": m["predicate_modifier"], "confidence": m["confidence"],
            "justification": m["justification"], "comment": m["comment"],
            "author": {"organization_id": m["author_organization_id"], "label": m["author"]},
            "reviewer": {"organization_id": m["reviewer_organization_id"], "label": m["reviewer"]},
            "created_at": content_timestamp(m["created_at"]), "reviewed_at": content_timestamp(m["reviewed_at"]),
            "skill_mappings": [{k: s[k] for k in ("source_skill_id", "target_skill_id", "predicate",
                                                  "predicate_modifier")} for s in m["skill_mappings"]],
        }

    return {
        "title": title, "description": description,
        "license": license or "https://creativecommons.org/licenses/by/4.0/",
        "source_framework": framework(source_framework_id), "target_framework": framework(target_framework_id),
        "mappings": [mapping(i) for i in sorted(mapping_ids)],
    }


def recomputed_hash(content):
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


# ---------------------------------------------------------------- creating and versioning

def test_create_pins_validated_revisions_with_a_recomputable_hash(api, client, world):
    ids = [world["m_welder"]["id"], world["m_electrician"]["id"]]
    response = create_set(api, world, mapping_ids=ids, description="Agreed at the 2026 dialogue")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1 and body["latest_version"] == 1 and len(body["content_hash"]) == 64
    assert body["owner_organization_id"] == world["authority"].id
    assert {(e["mapping_id"], e["revision"]) for e in body["entries"]} == {(i, 1) for i in ids}
    assert [e["mapping_id"] for e in body["entries"]] == sorted(ids)

    expected = documented_content(client, "PH to UAE electrical trades", "Agreed at the 2026 dialogue", None,
                                  world["ph"]["id"], world["ae"]["id"], ids)
    revision_ids = {e["mapping_id"]: e["revision_id"] for e in body["entries"]}
    for item in expected["mappings"]:
        item["revision_id"] = revision_ids[item["mapping_id"]]
    assert body["content"] == expected
    assert recomputed_hash(expected) == body["content_hash"]
    assert body["content"]["mappings"][0]["skill_mappings"] or body["content"]["mappings"][1]["skill_mappings"]

    again = client.get(f"/api/v1/mapping-sets/{body['id']}")
    assert again.status_code == 200 and again.get_json()["content_hash"] == body["content_hash"]
    from schemas.mapping_sets import MappingSetSchema
    assert MappingSetSchema().validate(again.get_json()) == {}


def test_a_set_refuses_each_mapping_it_cannot_pin_by_index(api, client, world):
    authority = world["authority"]
    candidate = map_standards(api, authority, world["electrician"], world["ae_welder"], validate=False)
    rejected = map_standards(api, authority, world["welder"], world["ae_electrician"], validate=False)
    client.post(f"/api/v1/mappings/{rejected['id']}/review", json={"decision": "rejected"}, headers=authority.headers)
    # A revised mapping: its validated revision 1 is deprecated, revision 2 is a candidate.
    revised = world["m_welder"]["id"]
    assert client.patch(f"/api/v1/mappings/{revised}", json={"confidence": 0.4},
                        headers=authority.headers).status_code == 200
    reverse = map_standards(api, authority, world["ae_electrician"], world["electrician"])  # AE -> PH
    ids = [world["m_electrician"]["id"], candidate["id"], rejected["id"], revised, reverse["id"],
           "00000000-0000-0000-0000-000000000000", world["m_electrician"]["id"]]
    errors = field_errors(problem(create_set(api, world, mapping_ids=ids), 422))
    assert set(errors) == {f"mapping_ids.{i}" for i in range(1, 7)}
    assert "revision 1 is candidate" in errors["mapping_ids.1"][0]
    assert "is rejected" in errors["mapping_ids.2"][0]
    assert "revision 2 is candidate" in errors["mapping_ids.3"][0]
    assert "AE-NQF 2024 to PH-TR 2024" in errors["mapping_ids.4"][0]
    assert "no mapping" in errors["mapping_ids.5"][0]
    assert errors["mapping_ids.6"] == ["repeats mapping_ids.0"]
    errors = field_errors(problem(create_set(api, world, source_framework_id="00000000-0000-0000-0000-000000000000",
                                             mapping_ids=[], title=""), 422))
    assert {"mapping_ids", "title"} <= set(errors)
    errors = field_errors(problem(create_set(api, world, source_framework_id="00000000-0000-0000-0000-000000000000"),
                                  422))
    assert set(errors) == {"source_framework_id"}
    assert client.get("/api/v1/mapping-sets").get_json()["total"] == 0


def test_only_recognition_authorities_create_and_only_the_creator_versions(api, client, world):
    body = {"title": "T", "source_framework_id": world["ph"]["id"], "target_framework_id": world["ae"]["id"],
            "mapping_ids": [world["m_electrician"]["id"]]}
    problem(client.post("/api/v1/mapping-sets", json=body), 401)
    for actor in (api.organization("employer", "AE"), world["ph_body"]):
        problem(client.post("/api/v1/mapping-sets", json=body, headers=actor.headers), 403)
    problem(client.post("/api/v1/mapping-sets", json=body, headers=api.admin_headers()), 403)
    created = create_set(api, world).get_json()
    other_authority = api.organization("recognition_authority", "PH")
    url = f"/api/v1/mapping-sets/{created['id']}/versions"
    problem(client.post(url, json={"title": "Hijacked"}, headers=other_authority.headers), 403)
    problem(client.post(url, json={"title": "Anonymous"}), 401)
    assert client.get(f"/api/v1/mapping-sets/{created['id']}").get_json()["latest_version"] == 1


def test_versions_make_new_hashes_and_old_versions_stay_readable(api, client, world):
    authority = world["authority"]
    v1 = create_set(api, world).get_json()
    url = f"/api/v1/mapping-sets/{v1['id']}"
    both = [world["m_electrician"]["id"], world["m_welder"]["id"]]
    response = client.post(f"{url}/versions", json={"mapping_ids": both}, headers=authority.headers)
    assert response.status_code == 201, response.get_json()
    v2 = response.get_json()
    assert v2["version"] == 2 and v2["content_hash"] != v1["content_hash"] and len(v2["entries"]) == 2
    assert v2["title"] == v1["title"]

    # Revising a pinned mapping changes no version; a title-only change keeps the pinned revisions.
    assert client.patch(f"/api/v1/mappings/{world['m_electrician']['id']}", json={"confidence": 0.5},
                        headers=authority.headers).status_code == 200
    v3 = client.post(f"{url}/versions", json={"title": "Electrical and welding trades", "license": None},
                     headers=authority.headers).get_json()
    assert v3["version"] == 3 and v3["entries"] == v2["entries"]
    assert [m["confidence"] for m in v3["content"]["mappings"] if m["mapping_id"] == world["m_electrician"]["id"]] \
        == [0.85]
    assert recomputed_hash(v3["content"]) == v3["content_hash"] != v2["content_hash"]
    # Re-listing the revised mapping needs its new revision validated first.
    body = problem(client.post(f"{url}/versions", json={"mapping_ids": both}, headers=authority.headers), 422)
    assert "revision 2 is candidate" in field_errors(body)["mapping_ids.0"][0]
    problem(client.post(f"{url}/versions", json={"title": "Electrical and welding trades"},
                        headers=authority.headers), 409)  # nothing changed
    assert "(body)" in field_errors(problem(client.post(f"{url}/versions", json={}, headers=authority.headers), 422))

    old = client.get(f"{url}?version=1").get_json()
    assert old["version"] == 1 and old["content_hash"] == v1["content_hash"] and len(old["entries"]) == 1
    latest = client.get(url).get_json()
    assert latest["version"] == 3 and [v["version"] for v in latest["versions"]] == [1, 2, 3]
    assert [v["content_hash"] for v in latest["versions"]] == [v1["content_hash"], v2["content_hash"],
                                                                 v3["content_hash"]]
    problem(client.get(f"{url}?version=9"), 404)
    problem(client.get("/api/v1/mapping-sets/00000000-0000-0000-0000-000000000000"), 404)


def test_list_is_paginated_and_filtered_by_framework(api, client, world):
    create_set(api, world)
    create_set(api, world, title="Welding", mapping_ids=[world["m_welder"]["id"]])
    listed = client.get(f"/api/v1/mapping-sets?framework_id={world['ae']['id']}&per_page=1").get_json()
    assert listed["total"] == 2 and len(listed["items"]) == 1 and listed["per_page"] == 1
    item = listed["items"][0]
    assert item["title"] == "PH to UAE electrical trades" and item["mappings"] == 1 and item["version"] == 1
    assert (item["source_framework"]["code"], item["target_framework"]["code"]) == ("PH-TR", "AE-NQF")
    from schemas.mapping_sets import MappingSetSummarySchema
    assert MappingSetSummarySchema().validate(item) == {}
    assert client.get(f"/api/v1/mapping-sets?source_framework_id={world['ae']['id']}").get_json()["total"] == 0
    assert client.get(f"/api/v1/mapping-sets?target_framework_id={world['ae']['id']}&page=2&per_page=1") \
        .get_json()["items"][0]["title"] == "Welding"


# ---------------------------------------------------------------- SSSOM export

def export(client, mapping_set_id, version=None):
    response = client.get(f"/api/v1/mapping-sets/{mapping_set_id}/sssom.tsv"
                          + (f"?version={version}" if version else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == TSV
    return response.get_data(as_text=True)


@pytest.mark.filterwarnings("ignore::Warning:sssom.util")  # pandas deprecations inside sssom-py
def test_sssom_export_reads_back_with_sssom_py(api, client, world, tmp_path, caplog):
    sssom_parsers = pytest.importorskip("sssom.parsers")
    from sssom.constants import SchemaValidationType
    from sssom.validators import validate

    created = create_set(api, world, mapping_ids=[world["m_electrician"]["id"], world["m_welder"]["id"]],
                         license="https://creativecommons.org/publicdomain/zero/1.0/").get_json()
    text = export(client, created["id"])
    path = tmp_path / "set.sssom.tsv"
    path.write_text(text)
    # Not strict=True: sssom-py 0.4.21 inverts that check and refuses files whose metadata is all standard.
    # Instead: its only complaints are the extension columns it does not support and drops.
    with caplog.at_level(logging.WARNING):
        msdf = sssom_parsers.parse_sssom_table(path)
        validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness],
                 fail_on_error=True)
    complaints = {r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name == "root"}
    assert complaints <= {f"No attr for {name} [{count} instances]" for name, count in (
        ("subject_uri", 4), ("object_uri", 4), ("subject_version", 2), ("object_version", 2),
        ("parent_record_id", 2))}, complaints

    meta = msdf.metadata
    assert meta["mapping_set_id"] == f"{TEST_BASE_URL}/api/v1/mapping-sets/{created['id']}"
    assert meta["mapping_set_version"] == "1" and meta["mapping_set_title"] == "PH to UAE electrical trades"
    assert meta["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    converter = msdf.converter
    rows = {row["record_id"]: {k: None if v == "" or isinstance(v, float) and math.isnan(v) else v
                                 for k, v in row.items()}
            for row in msdf.df.to_dict("records")}
    assert len(rows) == 4  # two standard-level rows, two skill-level rows
    # subject_source and object_source are propagated from the metadata down to every row.
    assert {row["subject_source"] for row in rows.values()} == {f"srrfw:{world['ph']['id']}"}
    assert {converter.expand(row["object_source"]) for row in rows.values()} == \
        {f"{TEST_BASE_URL}/api/v1/frameworks/{world['ae']['id']}"}
    m = world["m_electrician"]
    main = rows[f"srrmap:{m['id']}/revisions/1"]
    assert converter.expand(main["subject_id"]) == f"{TEST_BASE_URL}/api/v1/standards/{world['electrician']['id']}"
    assert (main["subject_label"], main["object_label"]) == ("Electrician", "Electrician (UAE)")
    assert (main["predicate_id"], main["predicate_modifier"], main["confidence"]) == ("skos:closeMatch", None, 0.85)
    assert main["comment"] == 'Local "wiring" rules\tdiffer'
    assert main["mapping_justification"] == "semapv:ManualMappingCuration"
    assert main["author_label"] == main["reviewer_label"] == "UAE Ministry of Human Resources"
    assert main["review_date"] == m["reviewed_at"][:10]
    skill_row = rows[f"srrmap:{m['id']}/revisions/1/skills/2"]
    assert converter.expand(skill_row["subject_id"]) == \
        f"{TEST_BASE_URL}/ims/case/v1p0/CFItems/{skill(world['electrician'], 'P2')}"
    assert (skill_row["predicate_id"], skill_row["predicate_modifier"]) == ("skos:narrowMatch", "Not")
    assert skill_row["subject_label"] == "Skill P2"
    welder = rows[f"srrmap:{world['m_welder']['id']}/revisions/1"]
    assert (welder["predicate_id"], welder["predicate_modifier"], welder["mapping_justification"]) == \
        ("skos:exactMatch", "Not", "semapv:LexicalMatching")


def test_sssom_export_metadata_and_columns(api, client, world):
    from app.services.sssom import read_tsv

    created = create_set(api, world).get_json()
    response = client.get(f"/api/v1/mapping-sets/{created['id']}/sssom.tsv?version=1")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="mapping-set-{created["id"]}-v1.sssom.tsv"'
    text = response.get_data(as_text=True)
    lines = text.split("\n")
    assert lines[0] == "#curie_map:" and lines[1].startswith("#  linkml: ")
    parsed = read_tsv(text)
    assert parsed.metadata["curie_map"]["srrstd"] == f"{TEST_BASE_URL}/api/v1/standards/"
    assert parsed.metadata["curie_map"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert parsed.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert parsed.metadata["creator_label"] == ["UAE Ministry of Human Resources"]
    assert parsed.metadata["subject_source_version"] == "2024"
    assert {d["slot_name"] for d in parsed.metadata["extension_definitions"]} == {
        "subject_uri", "object_uri", "subject_version", "object_version", "parent_record_id"}
    assert parsed.columns[:4] == ["record_id", "subject_id", "subject_label", "predicate_id"]
    assert "predicate_modifier" in parsed.columns  # a skill row has one
    line, first = parsed.rows[0]
    assert line == len([x for x in lines if x.startswith("#")]) + 2
    assert first["subject_uri"] == f"{ESCO}/occupation/EIM" and first["subject_version"] == "1"
    assert first["comment"] == 'Local "wiring" rules\tdiffer'
    problem(client.get("/api/v1/mapping-sets/00000000-0000-0000-0000-000000000000/sssom.tsv"), 404)
    problem(client.get(f"/api/v1/mapping-sets/{created['id']}/sssom.tsv?version=2"), 404)


# ---------------------------------------------------------------- SSSOM import

def import_tsv(client, actor, text, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/mapping-sets/import{'?' + query if query else ''}", data=text.encode(),
                       content_type=TSV, headers=actor.headers)


def comparable(mapping):
    """What an SSSOM round trip must keep of a mapping."""
    return {
        "pair": (mapping["source"]["code"], mapping["target"]["code"]),
        "predicate": mapping["predicate"], "predicate_modifier": mapping["predicate_modifier"],
        "confidence": mapping["confidence"], "justification": mapping["justification"],
        "comment": mapping["comment"],
    }


def by_code_pair(items):
    return sorted((comparable(m) for m in items), key=lambda c: c["pair"])


def comparable_skills(mapping, standards):
    codes = {s["id"]: s["code"] for standard in standards for s in standard["skills"]}
    return [(codes[s["source_skill_id"]], codes[s["target_skill_id"]], s["predicate"], s["predicate_modifier"])
            for s in mapping["skill_mappings"]]


def mappings_of(client, organization_id):
    return client.get(f"/api/v1/mappings?author_organization_id={organization_id}&per_page=200").get_json()["items"]


def test_round_trip_into_the_same_registry_by_another_authority(api, client, world, session):
    created = create_set(api, world, mapping_ids=[world["m_electrician"]["id"], world["m_welder"]["id"]]).get_json()
    text = export(client, created["id"])
    importer = api.organization("recognition_authority", "PH")
    response = import_tsv(client, importer, text)
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert (summary["created"], summary["revised"], summary["unchanged"], summary["rejected"]) == (2, 0, 0, [])
    originals = {m["id"]: m for m in (client.get(f"/api/v1/mappings/{world[k]['id']}").get_json()
                                      for k in ("m_electrician", "m_welder"))}
    imported = mappings_of(client, importer.id)
    assert by_code_pair(imported) == by_code_pair(originals.values())
    standards = [world[k] for k in ("electrician", "welder", "ae_electrician", "ae_welder")]
    by_pair = {comparable(m)["pair"]: m for m in imported}
    electrician = by_pair[("EIM", "AE-ELEC")]
    assert comparable_skills(electrician, standards) == [("P1", "U1", "skos:exactMatch", None),
                                                         ("P2", "U2", "skos:narrowMatch", "Not")]
    assert electrician["status"] == "candidate" and electrician["author"] == importer_name(client, importer)
    assert electrician["coverage"] == originals[world["m_electrician"]["id"]]["coverage"]

    again = import_tsv(client, importer, text).get_json()
    assert (again["created"], again["revised"], again["unchanged"]) == (0, 0, 2)
    changed = text.replace("\t0.85\t", "\t0.6\t")
    assert changed != text
    third = import_tsv(client, importer, changed).get_json()
    assert (third["created"], third["revised"], third["unchanged"]) == (0, 1, 1)
    revised = client.get(f"/api/v1/mappings/{by_pair[('EIM', 'AE-ELEC')]['id']}").get_json()
    assert revised["revision"] == 2 and revised["confidence"] == 0.6 and len(revised["skill_mappings"]) == 2

    # The same file as a multipart upload.
    upload = client.post("/api/v1/mapping-sets/import", headers=importer.headers,
                         data={"file": (io.BytesIO(changed.encode()), "set.sssom.tsv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and upload.get_json()["unchanged"] == 2


def importer_name(client, actor):
    return client.get(f"/api/v1/organizations/{actor.id}", headers=actor.headers).get_json()["name"]


def test_round_trip_into_a_fresh_registry_resolves_standards_by_uri(api, client, world, tmp_path_factory):
    created = create_set(api, world, mapping_ids=[world["m_electrician"]["id"], world["m_welder"]["id"]]).get_json()
    text = export(client, created["id"])
    originals = [client.get(f"/api/v1/mappings/{world[k]['id']}").get_json() for k in ("m_electrician", "m_welder")]
    url, cleanup = fresh_database_url("sqlite", tmp_path_factory)
    command.upgrade(alembic_config(url), "heads")
    other = create_app("testing", {"DATABASE_URL": url, "PUBLIC_BASE_URL": "http://other-registry.test"})
    try:
        other_api = ApiDriver(other, other.test_client())
        copy = make_frameworks(other_api)  # the same standards and skills (same URIs), new registry ids
        assert copy["electrician"]["id"] != world["electrician"]["id"]
        importer = other_api.organization("recognition_authority", "PH")
        response = import_tsv(other_api.client, importer, text)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["created"] == 2
        imported = mappings_of(other_api.client, importer.id)
        assert by_code_pair(imported) == by_code_pair(originals)
        electrician = next(m for m in imported if m["source"]["code"] == "EIM")
        standards = [copy[k] for k in ("electrician", "ae_electrician")]
        assert comparable_skills(electrician, standards) == [("P1", "U1", "skos:exactMatch", None),
                                                             ("P2", "U2", "skos:narrowMatch", "Not")]
    finally:
        other.extensions["registry"].engine.dispose()
        cleanup()


def mapping_count(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Mapping)), \
        session.scalar(sa.select(sa.func.count()).select_from(MappingRevision))


def test_malformed_files_are_refused_with_line_and_reason_and_nothing_written(api, client, world, session):
    created = create_set(api, world, mapping_ids=[world["m_electrician"]["id"], world["m_welder"]["id"]]).get_json()
    text = export(client, created["id"])
    importer = api.organization("recognition_authority", "PH")
    before = mapping_count(session)
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))  # 0-based index
    columns = lines[header].split("\t")

    def index_of(record_id):
        return next(i for i, line in enumerate(lines) if line.startswith(record_id + "\t"))

    def with_cells(index, **cells):
        values = lines[index].split("\t")
        for column, value in cells.items():
            values[columns.index(column)] = value
        return "\t".join(values)

    body = problem(import_tsv(client, importer, "\n".join(lines[header:])), 422)
    assert body["type"].endswith("/import-rejected") and body["row"] == 1 and "no metadata block" in body["reason"]

    no_licence = [line for line in lines if not line.startswith("#license:")]
    assert problem(import_tsv(client, importer, "\n".join(no_licence)), 422)["reason"] == \
        "the metadata block has no license"

    bad_header = list(lines)
    bad_header[header] = lines[header].replace("\tobject_id\t", "\tobject\t")
    body = problem(import_tsv(client, importer, "\n".join(bad_header)), 422)
    assert body["row"] == header + 1 and body["reason"] == "the header line lacks the column(s) object_id"

    electrician = f"srrmap:{world['m_electrician']['id']}/revisions/1"
    welder = index_of(f"srrmap:{world['m_welder']['id']}/revisions/1")
    broken = list(lines)
    broken[index_of(electrician)] = with_cells(index_of(electrician), predicate_id="owl:sameAs")
    broken[welder] = with_cells(welder, confidence="1.5", predicate_modifier="No")
    unknown = with_cells(welder, record_id="srrmap:x", subject_id="srrstd:00000000-0000-0000-0000-000000000000",
                         confidence="")
    broken.insert(len(lines) - 1, unknown)  # before the final empty string of the trailing newline
    body = problem(import_tsv(client, importer, "\n".join(broken)), 422)
    reasons = {r["row"]: r["reason"] for r in body["rejected"]}
    assert reasons == {
        index_of(electrician) + 1: "predicate_id 'owl:sameAs' is not skos:exactMatch, skos:closeMatch, "
                                   "skos:broadMatch, skos:narrowMatch, skos:relatedMatch",
        index_of(f"{electrician}/skills/1") + 1: f"its standard-level row (line {index_of(electrician) + 1}) was rejected",
        index_of(f"{electrician}/skills/2") + 1: f"its standard-level row (line {index_of(electrician) + 1}) was rejected",
        welder + 1: "predicate_modifier 'No' must be empty or Not; confidence '1.5' is not a number from 0 to 1",
        len(lines): "subject_id srrstd:00000000-0000-0000-0000-000000000000 names no standard of this registry",
    }
    assert body["row"] == min(reasons) and body["detail"].startswith("5 row(s) rejected; nothing was imported")
    assert mapping_count(session) == before

    # allow_rejects imports what is valid and still lists every rejected row.
    partial = list(lines)
    partial[welder] = with_cells(welder, predicate_modifier="No")
    summary = import_tsv(client, importer, "\n".join(partial), allow_rejects="true").get_json()
    assert (summary["created"], summary["rejected"]) == (
        1, [{"row": welder + 1, "reason": "predicate_modifier 'No' must be empty or Not"}])
    assert [m["source"]["code"] for m in mappings_of(client, importer.id)] == ["EIM"]


def test_import_needs_a_recognition_authority_and_a_tsv_body(api, client, world):
    created = create_set(api, world).get_json()
    text = export(client, created["id"])
    problem(client.post("/api/v1/mapping-sets/import", data=text, content_type=TSV), 401)
    problem(import_tsv(client, api.organization("employer", "AE"), text), 403)
    problem(import_tsv(client, world["ph_body"], text), 403)
    problem(client.post("/api/v1/mapping-sets/import", json={"tsv": text}, headers=world["authority"].headers), 415)
    body = problem(client.post("/api/v1/mapping-sets/import", data="caf\xe9".encode("latin-1"), content_type=TSV,
                               headers=world["authority"].headers), 422)
    assert "UTF-8" in body["reason"]


# ---------------------------------------------------------------- flask import sssom

def test_import_command(app, api, client, world, session, tmp_path):
    created = create_set(api, world, mapping_ids=[world["m_electrician"]["id"], world["m_welder"]["id"]]).get_json()
    path = tmp_path / "set.sssom.tsv"
    path.write_text(export(client, created["id"]))
    importer = api.organization("recognition_authority", "PH")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "sssom", str(path), "--organization", importer.id])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "imported" and (report["created"], report["rejected"]) == (2, [])
    assert len(mappings_of(client, importer.id)) == 2

    before = mapping_count(session)
    path.write_text(path.read_text().replace("skos:closeMatch", "skos:sameMatch"))
    result = runner.invoke(args=["import", "sssom", str(path), "--organization", importer.id])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "refused" and report["nothing_written"] and "skos:sameMatch" in report["reason"]
    assert mapping_count(session) == before

    result = runner.invoke(args=["import", "sssom", str(path), "--organization", world["ph_body"].id])
    assert result.exit_code == 1 and "recognition_authority" in json.loads(result.stdout)["detail"]


def test_a_third_party_file_is_matched_by_concept_uri(api, client, world):
    """A file written elsewhere, naming ESCO concepts with its own prefix and none of the registry's columns."""
    text = ("#curie_map:\n#  esco: http://data.europa.eu/esco/\n#mapping_set_id: https://example.org/crosswalk\n"
            "#license: https://creativecommons.org/licenses/by/4.0/\n"
            "subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\n"
            "esco:occupation/SMAW\tskos:broadMatch\tesco:occupation/AE-WELD\tsemapv:LexicalMatching\t0.7\n")
    importer = api.organization("recognition_authority", "PH")
    summary = import_tsv(client, importer, text).get_json()
    assert (summary["created"], summary["rejected"]) == (1, [])
    [mapping] = mappings_of(client, importer.id)
    assert comparable(mapping) == {"pair": ("SMAW", "AE-WELD"), "predicate": "skos:broadMatch",
                                   "predicate_modifier": None, "confidence": 0.7,
                                   "justification": "semapv:LexicalMatching", "comment": None}
    assert mapping["skill_mappings"] == []

    # A second published standard with the same URI makes the URI ambiguous: the row says so.
    api.standard(world["ph_body"], world["ph"]["id"], publish=True, code="SMAW-2", uri=f"{ESCO}/occupation/SMAW")
    body = problem(import_tsv(client, importer, text), 422)
    assert body["rejected"] == [{"row": 6, "reason": "subject_id esco:occupation/SMAW: 2 standards carry that URI; "
                                                     "name one by registry id"}]
