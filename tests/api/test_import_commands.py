"""`flask import esco` and `flask import onet` on the real published data, inside the test transaction."""
import json
import shutil
import zipfile

import pytest
import sqlalchemy as sa

from app.models import Framework, Organization, Skill, Standard, StandardSkill, StandardVersion

CLASSIFICATION_ZIP = "ESCO dataset - v1.1.0 - classification - en - csv.zip"
RELATIONS_ZIP = "ESCO dataset - v1.1.0 - classification - relations - csv.zip"
DOMESTIC_ELECTRICIAN_URI = "http://data.europa.eu/esco/occupation/5dbb9cf0-b226-402c-a295-2f42ef05ff8b"
ELECTRICAL_WIRING_SKILL_URI = "http://data.europa.eu/esco/skill/0e8d16c9-e2db-4862-ac06-1567f01ef806"


def run_command(app, *args):
    """Run a flask command in the test transaction; return (exit code, its JSON report on stdout)."""
    result = app.test_cli_runner().invoke(args=[str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def import_esco(app, shared_data, classification=None, relations=None):
    folder = shared_data / "esco-v1.1.0"
    return run_command(app, "import", "esco", "--classification", classification or folder / CLASSIFICATION_ZIP,
                       "--relations", relations or folder / RELATIONS_ZIP)


def row_counts(session):
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Organization, Framework, Standard, StandardVersion, Skill, StandardSkill)}


def framework_counts(session, code):
    """Standards, skills, and essential / optional links of the framework with this code."""
    framework_id = session.scalar(sa.select(Framework.id).where(Framework.code == code))
    standards = session.scalar(sa.select(sa.func.count()).select_from(Standard)
                               .where(Standard.framework_id == framework_id))
    skills = session.scalar(sa.select(sa.func.count()).select_from(Skill).where(Skill.framework_id == framework_id))
    links = dict(session.execute(
        sa.select(StandardSkill.essential, sa.func.count())
        .join(StandardVersion, StandardSkill.standard_version_id == StandardVersion.id)
        .join(Standard, StandardVersion.standard_id == Standard.id)
        .where(Standard.framework_id == framework_id).group_by(StandardSkill.essential)).all())
    return {"standards": standards, "skills": skills, "essential": links.get(True, 0),
            "optional": links.get(False, 0)}


def latest_version(session, framework_code, code):
    return session.scalar(
        sa.select(StandardVersion).join(Standard, StandardVersion.standard_id == Standard.id)
        .join(Framework, Standard.framework_id == Framework.id)
        .where(Framework.code == framework_code, Standard.code == code, StandardVersion.is_latest))


def essential_skill_codes(version):
    return {link.skill.code for link in version.skill_links if link.essential}


def search(client, q, **filters):
    response = client.get("/api/v1/standards", query_string={"q": q, "per_page": 50, **filters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


# ---------------------------------------------------------------- ESCO

@pytest.mark.slow
def test_esco_import_end_to_end_then_reimport_is_a_no_op(app, client, session, shared_data):
    exit_code, report = import_esco(app, shared_data)
    assert exit_code == 0, report
    assert report["standards"] == {"created": 3008, "updated": 0, "unchanged": 0}
    assert report["skills"] == {"created": 13891, "updated": 0, "unchanged": 0}
    assert report["skill_links"] == 123852 and report["rejected"] == []
    assert framework_counts(session, "ESCO") == {"standards": 3008, "skills": 13891,
                                                 "essential": 65096, "optional": 58756}

    domestic = latest_version(session, "ESCO", "7411.1.1.1")
    assert domestic.title == {"en": "domestic electrician"} and domestic.isco08 == "7411"
    assert domestic.uri == DOMESTIC_ELECTRICIAN_URI and domestic.status == "published"
    assert domestic.skill_links[0].skill.uri == ELECTRICAL_WIRING_SKILL_URI and domestic.skill_links[0].essential
    industrial = latest_version(session, "ESCO", "7411.1.1.2")
    assert industrial.title == {"en": "industrial electrician"}
    # Counted from occupationSkillRelations.csv: 19 and 17 essential skills, 15 of them shared.
    assert (len(essential_skill_codes(domestic)), len(essential_skill_codes(industrial))) == (19, 17)
    assert len(essential_skill_codes(domestic) & essential_skill_codes(industrial)) == 15

    titles = [hit["title"]["en"] for hit in search(client, "electrician")]
    # The ten ESCO occupations titled "... electrician" rank above the ones that only mention electricians
    # (SQLite's BM25 puts the plain "electrician" a few places lower than PostgreSQL's ts_rank does).
    assert all(title.endswith("electrician") for title in titles[:9]), titles
    assert {t for t in titles[:12] if t.endswith("electrician")} == {
        "electrician", "building electrician", "domestic electrician", "industrial electrician",
        "event electrician", "automotive electrician", "marine electrician", "mining electrician",
        "rolling stock electrician", "street lighting electrician"}
    # "séance" and "école" appear only accented in ESCO: finding them unaccented needs the folded index.
    assert [hit["code"] for hit in search(client, "seance")] == ["5161.3"]
    assert [hit["code"] for hit in search(client, "séance")] == ["5161.3"]
    assert [hit["title"]["en"] for hit in search(client, "ecole")] == ["Freinet school teacher"]

    before = row_counts(session)
    exit_code, again = import_esco(app, shared_data)
    assert exit_code == 0, again
    assert again["framework_created"] is False
    assert again["standards"] == {"created": 0, "updated": 0, "unchanged": 3008}
    assert again["skills"] == {"created": 0, "updated": 0, "unchanged": 13891}
    assert again["skill_links"] == 0
    assert row_counts(session) == before


@pytest.mark.slow
def test_esco_corrupt_zip_is_refused_and_nothing_is_written(app, session, shared_data, tmp_path):
    original = (shared_data / "esco-v1.1.0" / CLASSIFICATION_ZIP).read_bytes()
    truncated = tmp_path / CLASSIFICATION_ZIP
    truncated.write_bytes(original[: len(original) // 2])
    before = row_counts(session)
    exit_code, report = import_esco(app, shared_data, classification=truncated)
    assert exit_code == 1
    assert report["status"] == "refused" and report["nothing_written"] is True
    assert report["file"] == CLASSIFICATION_ZIP and "not a readable zip file" in report["reason"]
    assert row_counts(session) == before


@pytest.mark.slow
def test_esco_zip_without_occupations_is_refused(app, session, shared_data, tmp_path):
    incomplete = tmp_path / "classification-without-occupations.zip"
    with zipfile.ZipFile(shared_data / "esco-v1.1.0" / CLASSIFICATION_ZIP) as source, \
            zipfile.ZipFile(incomplete, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("skills_en.csv", source.read("skills_en.csv"))
    before = row_counts(session)
    exit_code, report = import_esco(app, shared_data, classification=incomplete)
    assert exit_code == 1
    assert report["file"] == incomplete.name and report["reason"] == "missing member occupations_en.csv"
    assert row_counts(session) == before


@pytest.mark.slow
def test_esco_relations_with_a_bad_row_are_refused_naming_file_and_row(app, session, shared_data, tmp_path):
    relations = tmp_path / "relations.zip"
    unknown_skill = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"
    lines = ["occupationUri,relationType,skillType,skillUri",
             f"{DOMESTIC_ELECTRICIAN_URI},essential,skill/competence,{ELECTRICAL_WIRING_SKILL_URI}",
             f"{DOMESTIC_ELECTRICIAN_URI},essential,skill/competence,{unknown_skill}"]
    with zipfile.ZipFile(relations, "w") as archive:
        archive.writestr("occupationSkillRelations.csv", "\n".join(lines) + "\n")
    before = row_counts(session)
    exit_code, report = import_esco(app, shared_data, relations=relations)
    assert exit_code == 1
    assert (report["file"], report["row"]) == ("relations.zip/occupationSkillRelations.csv", 3)
    assert report["reason"] == f"unknown skill {unknown_skill!r}"
    assert row_counts(session) == before


# ---------------------------------------------------------------- O*NET

@pytest.mark.slow
def test_onet_import_end_to_end_then_reimport_is_a_no_op(app, client, session, shared_data):
    exit_code, report = run_command(app, "import", "onet", shared_data / "onet-29.1")
    assert exit_code == 0, report
    # 18,796 task statements plus 8,768 technology skills (distinct examples in Technology Skills.txt).
    assert report["standards"]["created"] == 1016 and report["skills"]["created"] == 18796 + 8768
    assert framework_counts(session, "ONET-SOC") == {"standards": 1016, "skills": 27564,
                                                     "essential": 13417, "optional": 5379 + 32627}
    electricians = latest_version(session, "ONET-SOC", "47-2111.00")
    assert electricians.title == {"en": "Electricians"} and electricians.level == "3"
    assert electricians.uri == "https://www.onetonline.org/link/summary/47-2111.00"
    assert "Journeyman Electrician" in electricians.alt_labels["en"]
    types = [(link.skill.skill_type, link.essential) for link in electricians.skill_links]
    assert types[0] == ("task", True) and types[-1] == ("technology", False)
    assert types == sorted(types, key=lambda t: (t[0] != "task", not t[1]))  # core tasks, other tasks, technology
    levels = dict(session.execute(
        sa.select(StandardVersion.level, sa.func.count()).join(Standard).join(Framework)
        .where(Framework.code == "ONET-SOC").group_by(StandardVersion.level)).all())
    assert levels == {"1": 31, "2": 295, "3": 219, "4": 224, "5": 154, None: 93}
    codes = [hit["code"] for hit in search(client, "electricians", framework="ONET-SOC")]
    assert set(codes[:2]) == {"47-2111.00", "47-3013.00"}  # Electricians, Helpers--Electricians

    before = row_counts(session)
    exit_code, again = run_command(app, "import", "onet", shared_data / "onet-29.1")
    assert exit_code == 0, again
    assert again["standards"] == {"created": 0, "updated": 0, "unchanged": 1016}
    assert again["skills"] == {"created": 0, "updated": 0, "unchanged": 27564}
    assert row_counts(session) == before


@pytest.mark.slow
def test_onet_malformed_file_is_refused(app, session, shared_data, tmp_path):
    for source in (shared_data / "onet-29.1").glob("*.txt"):
        shutil.copy(source, tmp_path / source.name)
    job_zones = tmp_path / "Job Zones.txt"
    lines = job_zones.read_text(encoding="utf-8").splitlines()
    job_zones.write_text("\n".join([lines[0].replace("Job Zone\t", "Zone\t"), *lines[1:]]) + "\n", encoding="utf-8")
    before = row_counts(session)
    exit_code, report = run_command(app, "import", "onet", tmp_path)
    assert exit_code == 1
    assert (report["file"], report["row"], report["reason"]) == ("Job Zones.txt", 1, "missing column(s): Job Zone")
    assert row_counts(session) == before
