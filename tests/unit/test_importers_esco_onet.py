"""The ESCO and O*NET readers: small files written here for every rule, then the real published data."""
import collections
import csv
import io
import zipfile

import pytest

from app.errors import ImportRejected
from app.importers.esco import read_esco
from app.importers.onet import read_onet

ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
WIRE = "11111111-1111-4111-8111-111111111111"
SAFETY = "22222222-2222-4222-8222-222222222222"
PIPES = "33333333-3333-4333-8333-333333333333"

OCCUPATION_HEADER = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels",
                     "status", "description", "code"]
SKILL_HEADER = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels", "description"]
RELATION_HEADER = ["occupationUri", "relationType", "skillType", "skillUri"]


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # The published files may start with a byte order mark; the reader must not see it in the first column name.
    return "\ufeff" + out.getvalue()


def occupation(uri_tail, code, label, alt_labels="", description="", isco="7411"):
    return ["Occupation", ESCO_OCCUPATION + uri_tail, isco, label, alt_labels, "", "released", description, code]


def skill(uuid_text, label, skill_type="skill/competence"):
    return ["KnowledgeSkillCompetence", ESCO_SKILL + uuid_text, skill_type, "sector-specific", label, "",
            f"About {label}."]


def relation(uri_tail, relation_type, uuid_text):
    return [ESCO_OCCUPATION + uri_tail, relation_type, "skill/competence", ESCO_SKILL + uuid_text]


DEFAULT_OCCUPATIONS = [
    # altLabels hold one label a line, inside a quoted field; the description holds commas and quotes.
    occupation("o-electrician", "7411.1", "electrician", "wireman\nsparky\n", 'Electricians "wire", test and fix.'),
    occupation("o-plumber", "7126.1", "plumber", isco="7126"),
]
DEFAULT_SKILLS = [skill(WIRE, "wire circuits"), skill(SAFETY, "Apply safety rules", "knowledge"),
                  skill(PIPES, "bend pipes")]
DEFAULT_RELATIONS = [
    relation("o-electrician", "optional", SAFETY), relation("o-electrician", "essential", WIRE),
    relation("o-electrician", "essential", PIPES), relation("o-plumber", "essential", PIPES),
]


def write_esco(tmp_path, occupations=None, skills=None, relations=None, classification_members=None):
    """Write a classification zip and a relations zip shaped like the published ones; return their paths."""
    members = classification_members or {
        "occupations_en.csv": csv_text(OCCUPATION_HEADER, DEFAULT_OCCUPATIONS if occupations is None else occupations),
        "skills_en.csv": csv_text(SKILL_HEADER, DEFAULT_SKILLS if skills is None else skills),
    }
    classification = tmp_path / "classification.zip"
    with zipfile.ZipFile(classification, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    relations_zip = tmp_path / "relations.zip"
    with zipfile.ZipFile(relations_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        text = csv_text(RELATION_HEADER, DEFAULT_RELATIONS if relations is None else relations)
        archive.writestr("occupationSkillRelations.csv", text.encode("utf-8"))
    return classification, relations_zip


# ---------------------------------------------------------------- ESCO, small files

def test_esco_records_follow_the_published_columns(tmp_path):
    bundle = read_esco(*write_esco(tmp_path))
    assert (bundle.framework.code, bundle.framework.version, bundle.framework.country) == ("ESCO", "1.1.0", "EU")
    assert bundle.framework.uri == "http://data.europa.eu/esco/concept-scheme/occupations"
    assert bundle.rejected == []
    electrician = next(s for s in bundle.standards if s.code == "7411.1")
    assert electrician.title == {"en": "electrician"}
    assert electrician.alt_labels == {"en": ["wireman", "sparky"]}
    assert electrician.description == {"en": 'Electricians "wire", test and fix.'}
    assert (electrician.isco08, electrician.level, electrician.uri) == ("7411", None, ESCO_OCCUPATION + "o-electrician")
    skills = {s.code: s for s in bundle.skills}
    assert set(skills) == {WIRE, SAFETY, PIPES}
    assert skills[SAFETY].skill_type == "knowledge" and skills[WIRE].skill_type == "skill"
    assert skills[WIRE].uri == ESCO_SKILL + WIRE and skills[WIRE].description == {"en": "About wire circuits."}


def test_esco_skill_map_is_essential_first_then_optional_each_by_label(tmp_path):
    bundle = read_esco(*write_esco(tmp_path))
    electrician = next(s for s in bundle.standards if s.code == "7411.1")
    # "bend pipes" sorts before "wire circuits"; the optional "Apply safety rules" comes last despite its "A".
    assert electrician.skills == [(PIPES, True), (WIRE, True), (SAFETY, False)]
    plumber = next(s for s in bundle.standards if s.code == "7126.1")
    assert plumber.skills == [(PIPES, True)]


def test_esco_links_to_unknown_concepts_become_rejections_with_file_and_row(tmp_path):
    relations = DEFAULT_RELATIONS + [
        relation("o-nobody", "essential", WIRE),                      # row 6
        relation("o-plumber", "essential", "44444444-4444-4444-8444-444444444444"),  # row 7
        relation("o-plumber", "sometimes", WIRE),                     # row 8
        relation("o-plumber", "essential", PIPES),                    # row 9: listed twice
    ]
    bundle = read_esco(*write_esco(tmp_path, relations=relations))
    found = [(r.file, r.row, r.code) for r in bundle.rejected]
    assert found == [("relations.zip/occupationSkillRelations.csv", 6, ESCO_OCCUPATION + "o-nobody"),
                     ("relations.zip/occupationSkillRelations.csv", 7, "7126.1"),
                     ("relations.zip/occupationSkillRelations.csv", 8, "7126.1"),
                     ("relations.zip/occupationSkillRelations.csv", 9, "7126.1")]
    reasons = [r.reason for r in bundle.rejected]
    assert "unknown occupation" in reasons[0] and "unknown skill" in reasons[1]
    assert "neither essential nor optional" in reasons[2] and "twice" in reasons[3]
    # The valid links are still read.
    assert next(s for s in bundle.standards if s.code == "7126.1").skills == [(PIPES, True)]


def test_esco_bad_concept_rows_are_rejected_and_their_links_say_why(tmp_path):
    occupations = DEFAULT_OCCUPATIONS + [occupation("o-bad", "9999.1", "bad group", isco="99X")]
    skills = DEFAULT_SKILLS + [skill("not-a-uuid", "odd skill"), skill(WIRE.replace("1", "5"), "x", "mystery")]
    relations = DEFAULT_RELATIONS + [relation("o-bad", "essential", WIRE)]
    bundle = read_esco(*write_esco(tmp_path, occupations=occupations, skills=skills, relations=relations))
    by_file = collections.defaultdict(list)
    for r in bundle.rejected:
        by_file[r.file.rsplit("/", 1)[1]].append((r.row, r.reason))
    assert [row for row, _ in by_file["occupations_en.csv"]] == [4]
    assert "iscoGroup" in by_file["occupations_en.csv"][0][1]
    assert [row for row, _ in by_file["skills_en.csv"]] == [5, 6]
    assert "UUID" in by_file["skills_en.csv"][0][1] and "skillType" in by_file["skills_en.csv"][1][1]
    assert by_file["occupationSkillRelations.csv"] == [(6, f"occupation {ESCO_OCCUPATION}o-bad was rejected")]
    assert {s.code for s in bundle.standards} == {"7411.1", "7126.1"}


def test_esco_corrupt_zip_is_refused_naming_the_file(tmp_path):
    classification, relations = write_esco(tmp_path)
    data = classification.read_bytes()
    classification.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportRejected) as caught:
        read_esco(classification, relations)
    assert caught.value.file == "classification.zip"
    assert "zip" in caught.value.reason


def test_esco_damaged_member_is_refused_naming_the_member(tmp_path):
    classification, relations = write_esco(tmp_path)
    stored = "occupationSkillRelations.csv"
    with zipfile.ZipFile(relations) as archive:
        info = archive.getinfo(stored)
    data = bytearray(relations.read_bytes())
    # Damage the compressed bytes but keep the zip directory intact: the zip opens, the member does not read.
    start = info.header_offset + 30 + len(stored)
    data[start:start + info.compress_size] = bytes(info.compress_size)
    relations.write_bytes(bytes(data))
    with pytest.raises(ImportRejected) as caught:
        read_esco(classification, relations)
    assert caught.value.file == f"relations.zip/{stored}"
    assert caught.value.reason.startswith("corrupt zip member")


def test_esco_zip_missing_a_member_is_refused(tmp_path):
    members = {"skills_en.csv": csv_text(SKILL_HEADER, DEFAULT_SKILLS)}
    with pytest.raises(ImportRejected) as caught:
        read_esco(*write_esco(tmp_path, classification_members=members))
    assert caught.value.file == "classification.zip"
    assert caught.value.reason == "missing member occupations_en.csv"


def test_esco_missing_column_is_refused_with_file_and_header_row(tmp_path):
    header = [c for c in OCCUPATION_HEADER if c != "code"]
    members = {"occupations_en.csv": csv_text(header, [row[:-1] for row in DEFAULT_OCCUPATIONS]),
               "skills_en.csv": csv_text(SKILL_HEADER, DEFAULT_SKILLS)}
    with pytest.raises(ImportRejected) as caught:
        read_esco(*write_esco(tmp_path, classification_members=members))
    assert (caught.value.file, caught.value.row) == ("classification.zip/occupations_en.csv", 1)
    assert caught.value.reason == "missing column(s): code"


def test_esco_row_with_the_wrong_number_of_fields_is_rejected(tmp_path):
    skills = DEFAULT_SKILLS + [["KnowledgeSkillCompetence", ESCO_SKILL + "x"]]
    bundle = read_esco(*write_esco(tmp_path, skills=skills))
    assert [(r.row, r.reason) for r in bundle.rejected] == [(5, "row has 2 fields, the header has 7")]


# ---------------------------------------------------------------- O*NET, small files

ONET_FILES = {
    "Occupation Data.txt": [["O*NET-SOC Code", "Title", "Description"],
                            ["47-2111.00", "Electricians", "Install, maintain, and repair electrical wiring."],
                            ["47-2152.00", "Plumbers, Pipefitters, and Steamfitters", "Assemble pipe systems."]],
    "Task Statements.txt": [["O*NET-SOC Code", "Task ID", "Task", "Task Type", "Incumbents Responding", "Date",
                             "Domain Source"],
                            ["47-2111.00", "2882", "Prepare sketches.", "Supplemental", "56", "08/2022", "Incumbent"],
                            ["47-2111.00", "2888", 'Pull "insulated" wires.', "Core", "56", "08/2022", "Incumbent"],
                            ["47-2111.00", "2890", "Train apprentices.", "n/a", "", "08/2022", "Analyst"],
                            ["47-2152.00", "3001", "Cut pipes.", "Core", "40", "08/2022", "Incumbent"]],
    "Job Zones.txt": [["O*NET-SOC Code", "Job Zone", "Date", "Domain Source"],
                      ["47-2111.00", "3", "08/2023", "Analyst"]],
    "Alternate Titles.txt": [["O*NET-SOC Code", "Alternate Title", "Short Title", "Source(s)"],
                             ["47-2111.00", "Journeyman Electrician", "n/a", "08"],
                             ["47-2111.00", "Licensed Electrician (LE)", "LE", "09"]],
    "Technology Skills.txt": [["O*NET-SOC Code", "Example", "Commodity Code", "Commodity Title", "Hot Technology",
                               "In Demand"],
                              ["47-2111.00", "Microsoft Excel", "43232110", "Spreadsheet software", "Y", "N"],
                              ["47-2111.00", "AutoCAD", "43232604", "Computer aided design CAD software", "Y", "N"],
                              ["47-2152.00", "Microsoft Excel", "43232110", "Spreadsheet software", "Y", "N"]],
}


def write_onet(tmp_path, **replacements):
    """Write the five O*NET text files (tab-separated, header row); a replacement of None leaves a file out."""
    files = {**ONET_FILES, **{name.replace("_", " ") + ".txt": rows for name, rows in replacements.items()}}
    for name, rows in files.items():
        if rows is not None:
            (tmp_path / name).write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return tmp_path


def test_onet_records_follow_the_published_columns(tmp_path):
    bundle = read_onet(write_onet(tmp_path))
    assert (bundle.framework.code, bundle.framework.version, bundle.framework.country) == ("ONET-SOC", "29.1", "US")
    assert bundle.rejected == []
    electricians = next(s for s in bundle.standards if s.code == "47-2111.00")
    assert electricians.title == {"en": "Electricians"}
    assert electricians.description == {"en": "Install, maintain, and repair electrical wiring."}
    assert electricians.level == "3" and electricians.isco08 is None
    assert electricians.uri == "https://www.onetonline.org/link/summary/47-2111.00"
    assert electricians.alt_labels == {"en": ["Journeyman Electrician", "Licensed Electrician (LE)", "LE"]}
    plumbers = next(s for s in bundle.standards if s.code == "47-2152.00")
    assert plumbers.level is None and plumbers.alt_labels == {}


def test_onet_skill_map_is_core_tasks_then_the_others_then_technology(tmp_path):
    bundle = read_onet(write_onet(tmp_path))
    electricians = next(s for s in bundle.standards if s.code == "47-2111.00")
    assert electricians.skills == [("task-2888", True), ("task-2882", False), ("task-2890", False),
                                   ("tech-AutoCAD", False), ("tech-Microsoft Excel", False)]
    skills = {s.code: s for s in bundle.skills}
    assert skills["task-2888"].title == {"en": 'Pull "insulated" wires.'} and skills["task-2888"].skill_type == "task"
    # One technology skill unit shared by every occupation that lists it.
    assert [c for c in skills if c.startswith("tech-")] == ["tech-Microsoft Excel", "tech-AutoCAD"]
    assert skills["tech-Microsoft Excel"].skill_type == "technology"
    assert skills["tech-Microsoft Excel"].description == {"en": "Spreadsheet software"}


def test_onet_bad_rows_become_rejections_with_file_and_row(tmp_path):
    tasks = ONET_FILES["Task Statements.txt"] + [
        ["99-9999.00", "4000", "Nobody's task.", "Core", "", "", ""],          # row 6
        ["47-2152.00", "4001", "Odd task.", "Sometimes", "", "", ""],          # row 7
    ]
    job_zones = ONET_FILES["Job Zones.txt"] + [["47-2152.00", "7", "08/2023", "Analyst"]]  # row 3
    bundle = read_onet(write_onet(tmp_path, Task_Statements=tasks, Job_Zones=job_zones))
    found = [(r.file, r.row, r.code) for r in bundle.rejected]
    assert found == [("Task Statements.txt", 6, "99-9999.00"), ("Task Statements.txt", 7, "47-2152.00"),
                     ("Job Zones.txt", 3, "47-2152.00")]
    assert "unknown O*NET-SOC Code" in bundle.rejected[0].reason
    assert "Task Type" in bundle.rejected[1].reason and "Job Zone" in bundle.rejected[2].reason


def test_onet_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportRejected) as caught:
        read_onet(write_onet(tmp_path, Job_Zones=None))
    assert (caught.value.file, caught.value.reason) == ("Job Zones.txt", "missing file")


def test_onet_missing_column_is_refused(tmp_path):
    tasks = [[c for c in row if c != "Core"] for row in ONET_FILES["Task Statements.txt"]]
    tasks[0] = [c for c in ONET_FILES["Task Statements.txt"][0] if c != "Task Type"]
    with pytest.raises(ImportRejected) as caught:
        read_onet(write_onet(tmp_path, Task_Statements=tasks))
    assert (caught.value.file, caught.value.row) == ("Task Statements.txt", 1)
    assert caught.value.reason == "missing column(s): Task Type"


# ---------------------------------------------------------------- the real published data

@pytest.mark.slow
def test_read_esco_real_data(shared_data):
    folder = shared_data / "esco-v1.1.0"
    bundle = read_esco(folder / "ESCO dataset - v1.1.0 - classification - en - csv.zip",
                       folder / "ESCO dataset - v1.1.0 - classification - relations - csv.zip")
    assert bundle.rejected == []
    assert (len(bundle.standards), len(bundle.skills)) == (3008, 13891)
    links = collections.Counter(essential for s in bundle.standards for _, essential in s.skills)
    assert (links[True], links[False]) == (65096, 58756)
    assert collections.Counter(s.skill_type for s in bundle.skills) == {"skill": 10833, "knowledge": 3057, None: 1}
    by_code = {s.code: s for s in bundle.standards}
    domestic, industrial = by_code["7411.1.1.1"], by_code["7411.1.1.2"]
    assert domestic.title == {"en": "domestic electrician"} and domestic.isco08 == "7411"
    assert "residential electrician" in domestic.alt_labels["en"]
    essential = [{code for code, is_essential in s.skills if is_essential} for s in (domestic, industrial)]
    assert (len(essential[0]), len(essential[1]), len(essential[0] & essential[1])) == (19, 17, 15)


@pytest.mark.slow
def test_read_onet_real_data(shared_data):
    bundle = read_onet(shared_data / "onet-29.1")
    assert bundle.rejected == []
    assert len(bundle.standards) == 1016
    assert collections.Counter(s.skill_type for s in bundle.skills) == {"task": 18796, "technology": 8768}
    links = collections.Counter((code.split("-")[0], essential)
                                for s in bundle.standards for code, essential in s.skills)
    assert links == {("task", True): 13417, ("task", False): 5379, ("tech", False): 32627}
    levels = collections.Counter(s.level for s in bundle.standards)
    assert levels == {"1": 31, "2": 295, "3": 219, "4": 224, "5": 154, None: 93}
