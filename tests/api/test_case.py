"""CASE 1.0: the export validates against the official schema, round-trips through an import into an
empty registry, shows published content only; the import's roles, refusals and CLI."""
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from alembic import command

from app import create_app
from app.db import create_engine
from app.models import Framework, Skill, Standard, StandardSkill, StandardVersion
from tests.conftest import TEST_BASE_URL, alembic_config, fresh_database_url
from tests.factories import ApiDriver, field_errors, problem

CASE_DATA = Path(__file__).resolve().parent.parent / "data" / "case"
DEFINITIONS = json.loads((CASE_DATA / "imscasev1p0-openapi-definitions.json").read_text())["definitions"]
SAMPLE = json.loads((CASE_DATA / "sample-package.json").read_text())
CASE = "/ims/case/v1p0"
ESCO_ELECTRICIAN = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
ESCO_WIRING = "http://data.europa.eu/esco/skill/0d0f3d38-7fd7-4b57-8e4e-a8b9e5bd6a0b"


def schema_errors(instance, type_name):
    schema = {"$ref": f"#/definitions/{type_name}.Type", "definitions": DEFINITIONS}
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def assert_valid(instance, type_name):
    assert schema_errors(instance, type_name) == []


def assert_valid_standalone(instance, package_type, link):
    """A stand-alone CASE object is its package type plus one LinkURI (see tests/data/case/README.md)."""
    assert_valid({name: value for name, value in instance.items() if name != link}, package_type)
    assert_valid(instance[link], "LinkURI")


def by_code(package):
    return {item["humanCodingScheme"]: item for item in package["CFItems"]}


def skill_map(package, occupation_id):
    """[(skill code, grouping title)] of an occupation, in sequenceNumber order."""
    codes = {item["identifier"]: item["humanCodingScheme"] for item in package["CFItems"]}
    links = [a for a in package["CFAssociations"]
             if a["associationType"] == "isChildOf" and a["destinationNodeURI"]["identifier"] == occupation_id]
    return [(codes[a["originNodeURI"]["identifier"]], a["CFAssociationGroupingURI"]["title"])
            for a in sorted(links, key=lambda a: a["sequenceNumber"])]


def external_links(package, origin_id):
    """{(associationType, destination uri)} from an item to nodes outside the package."""
    inside = {item["identifier"] for item in package["CFItems"]} | {package["CFDocument"]["identifier"]}
    return {(a["associationType"], a["destinationNodeURI"]["uri"]) for a in package["CFAssociations"]
            if a["originNodeURI"]["identifier"] == origin_id and a["destinationNodeURI"]["identifier"] not in inside}


def counts(session):
    return tuple(session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Framework, Standard, StandardVersion, Skill, StandardSkill))


@pytest.fixture()
def published(api):
    """A framework with two published standards sharing a skill, and a draft-only standard."""
    owner = api.organization("certification_body", "PH", name="TESDA Philippines")
    framework = api.framework(owner, title="Philippine TVET qualifications", languages=["en", "fil"],
                              description="National certificates of the Philippines.",
                              uri="https://www.tesda.gov.ph/Downloads/12")
    electrician = api.standard(
        owner, framework["id"], publish=True, code="EIM-NC2",
        title={"en": "Electrical installation and maintenance NC II", "fil": "Pag-install ng kuryente NC II"},
        description={"en": "Installs and maintains wiring in residential buildings."},
        alt_labels={"en": ["electrician", "wireman"]}, level="NC II", eqf_level=4, isco08="7411",
        uri=ESCO_ELECTRICIAN,
        skills=[
            {"code": "EIM-1", "title": {"en": "Install electrical wiring"}, "essential": True, "uri": ESCO_WIRING,
             "skill_type": "skill", "description": {"en": "Lay, terminate and test cables."}},
            {"code": "EIM-2", "title": {"en": "Read electrical schematics"}, "essential": False,
             "skill_type": "knowledge"},
            {"code": "SAFE-1", "title": {"en": "Apply workplace safety"}, "essential": True},
        ])
    plumber = api.standard(owner, framework["id"], publish=True, code="PLB-NC2", title={"en": "Plumbing NC II"},
                           isco08="7126", level="NC II",
                           skills=[{"code": "SAFE-1", "essential": False},
                                   {"code": "PLB-1", "title": {"en": "Install pipes"}, "essential": True}])
    draft = api.standard(owner, framework["id"], code="SOL-NC2", title={"en": "Solar installer NC II"},
                         skills=[{"code": "SOL-1", "title": {"en": "Mount solar panels"}, "essential": True}])
    return owner, framework, electrician, plumber, draft


@pytest.fixture()
def second_registry(database, tmp_path_factory):
    """An ApiDriver on a second registry with its own empty database, of the same engine as `database`."""
    url, _engine = database
    fresh_url, cleanup = fresh_database_url("sqlite" if url.startswith("sqlite") else "postgresql", tmp_path_factory)
    command.upgrade(alembic_config(fresh_url), "head")
    engine = create_engine(fresh_url)
    connection = engine.connect()
    outer = connection.begin()
    app = create_app("testing", {"DB_CONNECTION": connection, "PUBLIC_BASE_URL": TEST_BASE_URL})
    yield ApiDriver(app, app.test_client())
    outer.rollback()
    connection.close()
    engine.dispose()
    cleanup()


# ---------------------------------------------------------------- export

def test_package_validates_against_the_official_case_schema_and_maps_the_framework(client, published):
    _owner, framework, electrician, plumber, _draft = published
    response = client.get(f"{CASE}/CFPackages/{framework['id']}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    package = response.get_json()
    assert_valid(package, "CFPackage")

    document = package["CFDocument"]
    assert (document["identifier"], document["title"], document["version"], document["language"]) == (
        framework["id"], "Philippine TVET qualifications", "2024", "en")
    assert document["uri"] == f"{TEST_BASE_URL}{CASE}/CFDocuments/{framework['id']}"
    assert document["creator"] == document["publisher"] == "TESDA Philippines"
    assert document["officialSourceURL"] == "https://www.tesda.gov.ph/Downloads/12"
    assert f"framework-code: {framework['code']}\ncountry: PH\nlanguages: en fil" in document["notes"]

    items = by_code(package)
    assert sorted(items) == ["EIM-1", "EIM-2", "EIM-NC2", "PLB-1", "PLB-NC2", "SAFE-1"]  # no draft, no draft skill
    occupation = items["EIM-NC2"]
    assert occupation == {
        "identifier": electrician["id"], "fullStatement": "Electrical installation and maintenance NC II",
        "CFItemType": "Occupation", "uri": f"{TEST_BASE_URL}{CASE}/CFItems/{electrician['id']}",
        "humanCodingScheme": "EIM-NC2", "language": "en",
        "notes": "Installs and maintains wiring in residential buildings.",
        "alternativeLabel": "electrician", "conceptKeywords": ["electrician", "wireman"], "educationLevel": ["NC II"],
        "statusStartDate": electrician["published_at"][:10], "lastChangeDateTime": occupation["lastChangeDateTime"],
    }
    assert {code: items[code]["CFItemType"] for code in ("EIM-1", "EIM-2", "SAFE-1", "PLB-1")} == {
        "EIM-1": "Skill", "EIM-2": "Knowledge", "SAFE-1": "Skill", "PLB-1": "Skill"}
    assert items["EIM-1"]["notes"] == "Lay, terminate and test cables."

    # One shared skill unit, in two skill maps, essential in one and optional in the other.
    assert skill_map(package, electrician["id"]) == [
        ("EIM-1", "Essential skill"), ("EIM-2", "Optional skill"), ("SAFE-1", "Essential skill")]
    assert skill_map(package, plumber["id"]) == [("SAFE-1", "Optional skill"), ("PLB-1", "Essential skill")]
    top_level = [a["originNodeURI"]["identifier"] for a in package["CFAssociations"]
                 if a["destinationNodeURI"]["identifier"] == framework["id"]]
    assert top_level == [electrician["id"], plumber["id"]]
    assert external_links(package, electrician["id"]) == {
        ("exactMatchOf", ESCO_ELECTRICIAN), ("isRelatedTo", "http://data.europa.eu/esco/isco/C7411"),
        ("isRelatedTo", "http://data.europa.eu/snb/eqf/4")}
    assert external_links(package, items["EIM-1"]["identifier"]) == {("exactMatchOf", ESCO_WIRING)}

    used = {a["CFAssociationGroupingURI"]["identifier"] for a in package["CFAssociations"]
            if "CFAssociationGroupingURI" in a}
    defined = {g["identifier"]: g["title"] for g in package["CFDefinitions"]["CFAssociationGroupings"]}
    assert set(defined) == used
    assert set(defined.values()) == {"Essential skill", "Optional skill", "ISCO-08 classification", "EQF level"}
    identifiers = [a["identifier"] for a in package["CFAssociations"]]
    # 2 occupations in the document, 4 external (2 ISCO-08, EQF, ESCO), 5 skill-map entries, 1 skill source
    assert len(identifiers) == len(set(identifiers)) == 2 + 4 + 5 + 1
    assert client.get(f"{CASE}/CFPackages/{framework['id']}").get_json() == package  # stable identifiers


def test_standalone_reads_are_the_package_objects_with_their_links(client, published):
    _owner, framework, electrician, _plumber, _draft = published
    package = client.get(f"{CASE}/CFPackages/{framework['id']}").get_json()
    document_link = {"title": framework["title"], "identifier": framework["id"],
                     "uri": f"{TEST_BASE_URL}{CASE}/CFDocuments/{framework['id']}"}

    document = client.get(f"{CASE}/CFDocuments/{framework['id']}").get_json()
    assert_valid_standalone(document, "CFPckgDocument", "CFPackageURI")
    assert document == {**package["CFDocument"], "CFPackageURI": {
        **document_link, "uri": f"{TEST_BASE_URL}{CASE}/CFPackages/{framework['id']}"}}

    for item in package["CFItems"]:
        standalone = client.get(f"{CASE}/CFItems/{item['identifier']}").get_json()
        assert_valid_standalone(standalone, "CFPckgItem", "CFDocumentURI")
        assert standalone == {**item, "CFDocumentURI": document_link}
    for association in package["CFAssociations"]:
        standalone = client.get(f"{CASE}/CFAssociations/{association['identifier']}").get_json()
        assert_valid_standalone(standalone, "CFPckgAssociation", "CFDocumentURI")
        assert standalone == {**association, "CFDocumentURI": document_link}
    for grouping in package["CFDefinitions"]["CFAssociationGroupings"]:
        standalone = client.get(f"{CASE}/CFAssociationGroupings/{grouping['identifier']}").get_json()
        assert_valid(standalone, "CFAssociationGrouping")
        assert standalone == grouping

    skill_id = by_code(package)["SAFE-1"]["identifier"]
    for item_id in (electrician["id"], skill_id):
        response = client.get(f"{CASE}/CFItemAssociations/{item_id}").get_json()
        expected = [a for a in package["CFAssociations"]
                    if item_id in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])]
        assert response["CFAssociations"] == expected and response["CFItem"]["identifier"] == item_id
        assert_valid_standalone(response["CFItem"], "CFPckgItem", "CFDocumentURI")
        for association in response["CFAssociations"]:
            assert_valid(association, "CFPckgAssociation")
    assert len(client.get(f"{CASE}/CFItemAssociations/{skill_id}").get_json()["CFAssociations"]) == 2


def test_official_standalone_types_accept_nothing(client, published):
    """Why the stand-alone objects are checked as package type + link: the official allOf is unsatisfiable."""
    framework = published[1]
    document = client.get(f"{CASE}/CFDocuments/{framework['id']}").get_json()
    assert any("Additional properties are not allowed" in e for e in schema_errors(document, "CFDocument"))


def test_documents_are_listed_with_case_pagination(api, client, published):
    owner = published[0]
    second = api.framework(owner, code="AAA-FIRST")
    response = client.get(f"{CASE}/CFDocuments?limit=1&offset=0&sort=title&orderBy=asc")
    assert response.status_code == 200
    body = response.get_json()
    assert response.headers["X-Total-Count"] == "2"
    assert [d["identifier"] for d in body["CFDocuments"]] == [second["id"]]  # code order
    assert 'offset=1>; rel="next"' in response.headers["Link"]
    assert_valid_standalone(body["CFDocuments"][0], "CFPckgDocument", "CFPackageURI")
    last = client.get(f"{CASE}/CFDocuments?limit=1&offset=1")
    assert [d["identifier"] for d in last.get_json()["CFDocuments"]] == [published[1]["id"]]
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
    empty_framework = client.get(f"{CASE}/CFPackages/{second['id']}").get_json()
    assert_valid(empty_framework, "CFPackage")
    assert empty_framework["CFItems"] == empty_framework["CFAssociations"] == []
    problem(client.get(f"{CASE}/CFDocuments?limit=0"), 422)


def test_drafts_are_not_exported(client, published):
    owner, framework, electrician, _plumber, draft = published
    response = client.patch(f"/api/v1/standards/{electrician['id']}", headers=owner.headers,
                            json={"title": {"en": "Electrical installation NC II (2026 draft)"},
                                  "skills": [{"code": "NEW-1", "title": {"en": "Draft-only skill"}}]})
    assert response.status_code == 200 and response.get_json()["status"] == "draft"
    package = client.get(f"{CASE}/CFPackages/{framework['id']}", headers=owner.headers).get_json()
    items = by_code(package)
    assert items["EIM-NC2"]["fullStatement"] == "Electrical installation and maintenance NC II"  # the published one
    assert "NEW-1" not in items and "SOL-NC2" not in items and "SOL-1" not in items
    assert skill_map(package, electrician["id"])[0] == ("EIM-1", "Essential skill")
    for hidden in (draft["id"], draft["skills"][0]["id"]):
        problem(client.get(f"{CASE}/CFItems/{hidden}", headers=owner.headers), 404)
        problem(client.get(f"{CASE}/CFItemAssociations/{hidden}"), 404)


@pytest.mark.parametrize("path", [
    "CFPackages/{id}", "CFDocuments/{id}", "CFItems/{id}", "CFItemAssociations/{id}", "CFAssociations/{id}",
    "CFAssociationGroupings/{id}",
])
def test_unknown_identifiers_are_404_problems_with_the_case_status(client, path):
    body = problem(client.get(f"{CASE}/{path.format(id='5b0e5c3c-1f4e-4b8e-9d8f-2c6c1c2a9e11')}"), 404)
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "unknownobject"
    assert_valid({name: body[name] for name in ("imsx_codeMajor", "imsx_severity", "imsx_description",
                                                "imsx_codeMinor")}, "imsx_StatusInfo")
    problem(client.get(f"{CASE}/{path.format(id='not-a-uuid')}"), 404)


def test_retired_standard_is_exported_with_its_end_date_and_not_reimported(client, published, second_registry):
    owner, framework, _electrician, plumber, _draft = published
    assert client.post(f"/api/v1/standards/{plumber['id']}/retire", headers=owner.headers).status_code == 200
    package = client.get(f"{CASE}/CFPackages/{framework['id']}").get_json()
    assert_valid(package, "CFPackage")
    assert by_code(package)["PLB-NC2"]["statusEndDate"] == date.today().isoformat()

    importer = second_registry.organization("certification_body", "PH")
    refused = problem(second_registry.client.post("/api/v1/frameworks/import", json=package,
                                                  headers=importer.headers), 422)
    assert "retired" in refused["reason"]
    response = second_registry.client.post("/api/v1/frameworks/import?allow_rejects=true", json=package,
                                           headers=importer.headers)
    assert response.status_code == 201 and response.get_json()["standards"]["created"] == 1


# ---------------------------------------------------------------- round trip

# What an export -> import into an empty registry -> export changes, and why:
# - lastChangeDateTime (everywhere) and statusStartDate (items): the import writes and publishes
#   the content anew, at import time;
# - CFDocument creator and publisher: the importing organisation is the framework's publisher there.
# Everything else, identifiers included, must come back equal.
REWRITTEN_ON_IMPORT = {"lastChangeDateTime", "statusStartDate"}


def without_import_fields(value):
    if isinstance(value, dict):
        return {k: without_import_fields(v) for k, v in value.items() if k not in REWRITTEN_ON_IMPORT}
    if isinstance(value, list):
        return [without_import_fields(v) for v in value]
    return value


def test_export_import_export_gives_the_same_package(client, published, second_registry):
    _owner, framework, electrician, plumber, _draft = published
    first = client.get(f"{CASE}/CFPackages/{framework['id']}").get_json()

    importer = second_registry.organization("recognition_authority", "PH", name="Mirror registry authority")
    response = second_registry.client.post("/api/v1/frameworks/import", json=first, headers=importer.headers)
    assert response.status_code == 201, response.get_json()
    summary = response.get_json()
    assert summary["framework_id"] == framework["id"] and summary["framework_created"] is True
    assert summary["standards"]["created"] == 2 and summary["skills"]["created"] == 4 and summary["skill_links"] == 5

    second = second_registry.client.get(f"{CASE}/CFPackages/{framework['id']}").get_json()
    assert_valid(second, "CFPackage")
    for name in ("creator", "publisher"):
        assert (first["CFDocument"][name], second["CFDocument"][name]) == (
            "TESDA Philippines", "Mirror registry authority")
        del first["CFDocument"][name], second["CFDocument"][name]
    assert without_import_fields(second) == without_import_fields(first)

    # What the package carries is restored exactly in the registry itself.
    imported_framework = second_registry.client.get(f"/api/v1/frameworks/{framework['id']}").get_json()
    assert {k: imported_framework[k] for k in ("code", "country", "version", "languages", "title", "uri")} == {
        k: framework[k] for k in ("code", "country", "version", "languages", "title", "uri")}
    for original in (electrician, plumber):
        copy = second_registry.client.get(f"/api/v1/standards/{original['id']}").get_json()
        assert copy["status"] == "published"
        fields = ("code", "level", "eqf_level", "isco08", "uri", "alt_labels", "description")
        assert {k: copy[k] for k in fields} == {k: original[k] for k in fields}
        assert copy["title"]["en"] == original["title"]["en"]
        assert [(s["id"], s["code"], s["essential"], s["uri"], s["description"]) for s in copy["skills"]] == [
            (s["id"], s["code"], s["essential"], s["uri"], s["description"]) for s in original["skills"]]


def test_round_trip_loses_what_case_has_no_field_for(client, published, second_registry):
    """Named losses: titles in the framework's other languages; skill units without a type come back as skill."""
    _owner, framework, electrician, _plumber, _draft = published
    first = client.get(f"{CASE}/CFPackages/{framework['id']}").get_json()
    importer = second_registry.organization("certification_body", "PH")
    assert second_registry.client.post("/api/v1/frameworks/import", json=first,
                                       headers=importer.headers).status_code == 201
    copy = second_registry.client.get(f"/api/v1/standards/{electrician['id']}").get_json()
    assert copy["title"] == {"en": "Electrical installation and maintenance NC II"}  # "fil" is not in CASE 1.0
    assert [s["skill_type"] for s in copy["skills"]] == ["skill", "knowledge", "skill"]  # SAFE-1 had none


# ---------------------------------------------------------------- import through the API

def test_import_creates_then_updates_in_place_for_its_owner(api, client, session):
    owner = api.organization("certification_body", "AE")
    response = client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE, headers=owner.headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["standards"] == {"created": 2, "updated": 0, "unchanged": 0}
    occupation = client.get("/api/v1/standards/e08cd703-e6de-4d68-97b8-9fae269984ef").get_json()
    assert [(s["code"], s["essential"]) for s in occupation["skills"]] == [
        ("EL-S1", True), ("EL-S2", False), ("EL-S3", True)]
    assert (occupation["isco08"], occupation["uri"], occupation["country"]) == ("7411", ESCO_ELECTRICIAN, "AE")

    before = counts(session)
    again = client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE, headers=owner.headers)
    assert again.status_code == 200
    assert again.get_json()["standards"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert counts(session) == before


def test_import_as_drafts_exports_nothing(api, client):
    owner = api.organization("certification_body", "AE")
    response = client.post("/api/v1/frameworks/import?country=AE&publish=false", json=SAMPLE, headers=owner.headers)
    assert response.status_code == 201
    package = client.get(f"{CASE}/CFPackages/{SAMPLE['CFDocument']['identifier']}").get_json()
    assert package["CFItems"] == [] and package["CFAssociations"] == []


def test_import_needs_a_publisher_that_owns_the_framework(api, client, session):
    before = counts(session)
    problem(client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE), 401)
    employer = api.organization("employer", "AE")
    problem(client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE, headers=employer.headers), 403)
    assert counts(session) == before

    owner = api.organization("certification_body", "AE")
    assert client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE, headers=owner.headers).status_code == 201
    imported = counts(session)
    other = api.organization("certification_body", "AE")
    problem(client.post("/api/v1/frameworks/import?country=AE", json=SAMPLE, headers=other.headers), 403)
    # Same framework id under another version: still someone else's framework, not a new one.
    renamed = {**SAMPLE, "CFDocument": {**SAMPLE["CFDocument"], "version": "2024"}}
    body = problem(client.post("/api/v1/frameworks/import?country=AE", json=renamed, headers=other.headers), 403)
    assert "another organisation" in body["detail"]
    assert counts(session) == imported


def test_bad_packages_are_422_naming_the_problem_and_write_nothing(api, client, session):
    owner = api.organization("certification_body", "AE")
    before = counts(session)
    url = "/api/v1/frameworks/import?country=AE"

    body = problem(client.post(url, json={"CFItems": []}, headers=owner.headers), 422)
    assert "CFDocument" in field_errors(body)
    # Not JSON at all is 400 across the registry (app/api/errors.py); JSON that is not a package is 422.
    body = problem(client.post(url, data="{not json", content_type="application/json", headers=owner.headers), 400)
    assert body["errors"][0]["messages"] == ["Invalid JSON body."]

    no_country = problem(client.post("/api/v1/frameworks/import", json=SAMPLE, headers=owner.headers), 422)
    assert no_country["reason"] == "country unknown" and "country" in no_country["detail"]

    no_creator = {**SAMPLE, "CFDocument": {k: v for k, v in SAMPLE["CFDocument"].items() if k != "creator"}}
    body = problem(client.post(url, json=no_creator, headers=owner.headers), 422)
    assert body["file"] == "request body#/CFDocument" and "creator" in body["detail"]

    dangling = json.loads(json.dumps(SAMPLE))
    dangling["CFAssociations"][4]["destinationNodeURI"]["identifier"] = "0f6f5c1e-4b4a-4c3e-8a55-3f1f4f0e0b9a"
    body = problem(client.post(url, json=dangling, headers=owner.headers), 422)
    assert (body["file"], body["row"]) == ("request body#/CFAssociations", 4)
    assert body["reason"].startswith("dangling association")

    no_statement = json.loads(json.dumps(SAMPLE))
    del no_statement["CFItems"][1]["fullStatement"]
    body = problem(client.post(url, json=no_statement, headers=owner.headers), 422)
    assert (body["file"], body["row"]) == ("request body#/CFItems", 1) and "fullStatement" in body["reason"]

    problem(client.post("/api/v1/frameworks/import?country=XX", json=SAMPLE, headers=owner.headers), 422)
    assert counts(session) == before


# ---------------------------------------------------------------- the CLI

def test_cli_imports_a_case_file(app, api, client, session, tmp_path):
    owner = api.organization("certification_body", "AE")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "case", str(CASE_DATA / "sample-package.json"),
                                 "--organization", owner.id, "--country", "AE"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["status"], summary["organization_id"], summary["framework_id"]) == (
        "imported", owner.id, SAMPLE["CFDocument"]["identifier"])
    assert summary["standards"]["created"] == 2 and summary["skills"]["created"] == 3 and summary["skill_links"] == 5
    technician = client.get("/api/v1/standards/e9e0a978-5d7e-4bd4-bfa7-42e8ad913def").get_json()
    assert (technician["eqf_level"], [(s["code"], s["essential"]) for s in technician["skills"]]) == (
        4, [("EL-S3", True), ("EL-S1", False)])

    before = counts(session)
    broken = tmp_path / "broken.json"
    broken.write_text('{"CFDocument": {"identifier": ')
    result = runner.invoke(args=["import", "case", str(broken), "--organization", owner.id, "--country", "AE"])
    assert result.exit_code == 1
    refusal = json.loads(result.stdout)
    assert (refusal["status"], refusal["file"], refusal["row"], refusal["nothing_written"]) == (
        "refused", "broken.json", 1, True)
    result = runner.invoke(args=["import", "case", str(CASE_DATA / "sample-package.json"),
                                 "--organization", owner.id])
    assert result.exit_code == 1 and json.loads(result.stdout)["reason"] == "country unknown"
    assert counts(session) == before
