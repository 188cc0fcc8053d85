"""`flask import csv` on both engines: imports, re-imports as a no-op, refuses bad files with exit code 1."""
import json
import uuid

import pytest
import sqlalchemy as sa

from app.models import ApiClient, Framework, Organization, Skill, Standard, StandardSkill, StandardVersion
from tests.unit.test_csv_template import VALID

FRAMEWORK_OPTIONS = ["--framework-code", "NC-TEST", "--framework-title", "National certificates",
                     "--country", "PH", "--version", "2024"]


def import_csv(app, path, *options):
    result = app.test_cli_runner().invoke(args=["import", "csv", str(path), *FRAMEWORK_OPTIONS, *options])
    return result.exit_code, json.loads(result.stdout)


def table_counts(session):
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Organization, ApiClient, Framework, Standard, StandardVersion, Skill, StandardSkill)}


@pytest.fixture()
def valid_file(tmp_path):
    path = tmp_path / "standards.csv"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_valid_file_imports_standards_with_skill_maps_and_languages(app, session, client, valid_file):
    code, body = import_csv(app, valid_file)
    assert code == 0, body
    assert body["status"] == "imported" and body["framework_created"] is True
    assert body["standards"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert body["skills"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert body["skill_links"] == 5 and body["rejected"] == []

    framework = session.get(Framework, uuid.UUID(body["framework_id"]))
    assert (framework.code, framework.country, framework.version) == ("NC-TEST", "PH", "2024")
    assert framework.languages == ["en", "ar"]
    owner = session.get(Organization, framework.organization_id)
    assert (owner.name, owner.country, owner.kind) == ("NC-TEST publisher (PH)", "PH", "certification_body")

    listing = client.get("/api/v1/standards", query_string={"framework": body["framework_id"]}).get_json()
    by_code = {item["code"]: item for item in listing["items"]}
    assert set(by_code) == {"ELEC-2", "WELD-2"}
    electrician = client.get(f"/api/v1/standards/{by_code['ELEC-2']['id']}").get_json()
    assert electrician["status"] == "published"
    assert electrician["title"] == {"en": "Electrician", "ar": "كهربائي"}
    assert (electrician["isco08"], electrician["level"], electrician["eqf_level"]) == ("7411", "2", 3)
    assert [(s["code"], s["essential"], s["position"]) for s in electrician["skills"]] == [
        ("OHS-01", True, 0), ("ELEC-01", True, 1), ("COMM-01", False, 2)]
    assert electrician["skills"][1]["title"] == {"en": "Install wiring", "ar": "تركيب الأسلاك"}
    welder = client.get(f"/api/v1/standards/{by_code['WELD-2']['id']}").get_json()
    # The unit both standards list is one skill of the framework, not two.
    assert welder["skills"][0]["id"] == electrician["skills"][0]["id"]


def test_reimport_is_a_no_op(app, session, valid_file):
    assert import_csv(app, valid_file)[0] == 0
    before = table_counts(session)
    code, body = import_csv(app, valid_file)
    assert code == 0
    assert body["framework_created"] is False
    assert body["standards"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert body["skills"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert table_counts(session) == before


def test_a_changed_standard_gets_a_new_version_and_the_old_one_stays_readable(app, client, valid_file, tmp_path):
    first = import_csv(app, valid_file)[1]
    changed = tmp_path / "changed.csv"
    changed.write_text(VALID.replace("WELD-2,Welder,,7212", "WELD-2,Welder,,7214"), encoding="utf-8")
    code, body = import_csv(app, changed)
    assert code == 0
    assert body["standards"] == {"created": 0, "updated": 1, "unchanged": 1}
    listing = client.get("/api/v1/standards", query_string={"framework": first["framework_id"], "q": "welder"})
    (welder,) = listing.get_json()["items"]
    assert (welder["version"], welder["isco08"]) == (2, "7214")
    old = client.get(f"/api/v1/standards/{welder['id']}", query_string={"version": 1}).get_json()
    assert (old["version"], old["isco08"]) == (1, "7212")


BAD_ROWS = {
    "empty required cell": ("WELD-2,Welder,,,,,WELD-02,,,yes\n", "skill_title is empty"),
    "bad ISCO-08 code": ("WELD-2,Welder,,72121,,,WELD-02,Weld pipes,,yes\n", "isco08 '72121'"),
    "bad essential value": ("WELD-2,Welder,,,,,WELD-02,Weld pipes,,sometimes\n", "essential 'sometimes'"),
    "inconsistent standard fields": ("WELD-2,Welding,,,,,WELD-02,Weld pipes,,yes\n",
                                     "standard WELD-2: standard_title 'Welding' differs from 'Welder' on row 5"),
    "skill code reused with a different title": ("WELD-2,Welder,,,,,ELEC-01,Install cables,,yes\n",
                                                 "skill ELEC-01: skill_title 'Install cables' differs"),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_a_bad_row_refuses_the_file_and_changes_nothing(app, session, tmp_path, kind):
    row, reason = BAD_ROWS[kind]
    path = tmp_path / "standards.csv"
    path.write_text(VALID + row, encoding="utf-8")
    before = table_counts(session)
    code, body = import_csv(app, path)
    assert code == 1
    assert body["status"] == "refused" and body["nothing_written"] is True
    assert (body["file"], body["row"]) == ("standards.csv", 7)
    assert reason in body["reason"]
    assert body["rejected"] == [{"file": "standards.csv", "row": 7, "code": "WELD-2", "reason": body["reason"]}]
    assert table_counts(session) == before  # not even the default publisher was created


def test_bad_language_column_refuses_the_file(app, session, tmp_path):
    path = tmp_path / "standards.csv"
    path.write_text(VALID.replace("skill_title_ar", "skill_title_arabic!"), encoding="utf-8")
    before = table_counts(session)
    code, body = import_csv(app, path)
    assert code == 1
    assert (body["row"], body["reason"]) == (1, "column 'skill_title_arabic!': 'arabic!' is not a BCP 47 language tag")
    assert table_counts(session) == before


def test_malformed_file_refuses_with_exit_code_1(app, session, tmp_path):
    path = tmp_path / "standards.csv"
    path.write_text(VALID.replace("essential", "mandatory"), encoding="utf-8")
    before = table_counts(session)
    code, body = import_csv(app, path)
    assert code == 1
    assert "unknown column(s): mandatory" in body["detail"] and body["file"] == "standards.csv"
    assert table_counts(session) == before


def test_allow_rejects_imports_the_standards_without_bad_rows(app, session, tmp_path):
    path = tmp_path / "standards.csv"
    path.write_text(VALID + "WELD-2,Welder,,,,,WELD-02,Weld pipes,,sometimes\n", encoding="utf-8")
    code, body = import_csv(app, path, "--allow-rejects")
    assert code == 0
    assert body["standards"]["created"] == 1 and [r["row"] for r in body["rejected"]] == [7]
    codes = session.scalars(sa.select(Standard.code).join(Framework).where(Framework.code == "NC-TEST")).all()
    assert codes == ["ELEC-2"]


def test_draft_import_into_a_named_organisation(app, session, api, valid_file):
    owner = api.organization(kind="certification_body", country="PH", name="Skills Council (test)")
    code, body = import_csv(app, valid_file, "--draft", "--organization", owner.id, "--languages", "en,ar")
    assert code == 0
    assert body["organization_id"] == owner.id
    statuses = session.scalars(sa.select(StandardVersion.status).join(Standard).join(Framework)
                               .where(Framework.code == "NC-TEST")).all()
    assert statuses == ["draft", "draft"]
    # Drafts are not public: an anonymous search does not see them.
    listing = api.client.get("/api/v1/standards", query_string={"framework": body["framework_id"]}).get_json()
    assert listing["items"] == []


def test_bad_country_option_is_refused(app, session, valid_file):
    before = table_counts(session)
    result = app.test_cli_runner().invoke(args=[
        "import", "csv", str(valid_file), "--framework-code", "NC-TEST", "--framework-title", "National certificates",
        "--country", "Philippines", "--version", "2024"])
    assert result.exit_code == 1
    assert "not an ISO 3166-1 alpha-2 country code" in json.loads(result.stdout)["detail"]
    assert table_counts(session) == before
