"""The CASE 1.0 reader: a CFPackage from another tool, the registry's own notes, and every refusal."""
import copy
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.errors import ImportRejected
from app.importers.case import (
    CASE_NAMESPACE, ESSENTIAL_GROUPING, OPTIONAL_GROUPING, derived_id, read_case_file, read_case_package,
    registry_notes,
)

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "case" / "sample-package.json"
SAMPLE = json.loads(SAMPLE_PATH.read_text())
DOCUMENT_ID = "6a9d8893-c5d2-482d-824b-2b9c0597ebed"
ELECTRICIAN_ID = "e08cd703-e6de-4d68-97b8-9fae269984ef"


def sample():
    return copy.deepcopy(SAMPLE)


def standards(bundle):
    return {record.code: record for record in bundle.standards}


def rejection(bundle):
    """The one rejection of a bundle, as (file, row, reason)."""
    assert len(bundle.rejected) == 1, [r.as_dict() for r in bundle.rejected]
    found = bundle.rejected[0]
    return found.file, found.row, found.reason


def test_a_third_party_package_becomes_a_framework_with_standards_and_skill_maps():
    bundle = read_case_file(SAMPLE_PATH, default_country="AE")
    framework = bundle.framework
    assert (framework.id, framework.code, framework.country, framework.version, framework.languages) == (
        DOCUMENT_ID, DOCUMENT_ID, "AE", "2023", ["en"])  # no registry notes: the identifier is the code
    assert (framework.title, framework.uri) == (
        "Occupational standards: electrical trades", "https://standards.example.org/electrical")
    assert bundle.source == "sample-package.json" and bundle.rejected == []

    by_code = standards(bundle)
    electrician, technician = by_code["EL-01"], by_code["EL-02"]
    assert electrician.id == ELECTRICIAN_ID
    assert electrician.title == {"en": "Electrician (building)"}
    assert electrician.description == {"en": "Installs and maintains wiring in buildings."}
    assert electrician.alt_labels == {"en": ["wireman", "building electrician"]}
    assert (electrician.level, electrician.isco08, electrician.eqf_level) == ("3", "7411", None)
    assert electrician.uri == "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    # Ordered by sequenceNumber, not by the order of the associations; isPartOf counts too; the
    # package's own "Optional" grouping makes a skill optional, no grouping means essential.
    assert electrician.skills == [("EL-S1", True), ("EL-S2", False), ("EL-S3", True)]
    assert (technician.eqf_level, technician.isco08) == (4, None)
    assert technician.skills == [("EL-S3", True), ("EL-S1", False)]

    skills = {record.code: record for record in bundle.skills}
    assert sorted(skills) == ["EL-S1", "EL-S2", "EL-S3"]  # the "Cluster" node is structure, left out
    assert skills["EL-S1"].uri == "http://data.europa.eu/esco/skill/0d0f3d38-7fd7-4b57-8e4e-a8b9e5bd6a0b"
    assert (skills["EL-S1"].skill_type, skills["EL-S3"].skill_type) == ("skill", "competence")
    assert skills["EL-S1"].description == {"en": "Lay, terminate and test cables."}


def test_registry_notes_restore_code_country_and_languages():
    package = sample()
    package["CFDocument"]["notes"] = "Imported from the ministry.\n" + registry_notes("EL-2023", "AE", ["ar", "en"])
    package["CFItems"][1]["language"] = "ar"
    bundle = read_case_package(package)
    framework = bundle.framework
    assert (framework.code, framework.country, framework.languages) == ("EL-2023", "AE", ["ar", "en"])
    assert standards(bundle)["EL-01"].title == {"ar": "Electrician (building)"}
    assert standards(bundle)["EL-02"].title == {"en": "Electrical maintenance technician"}  # its own language
    with pytest.raises(ImportRejected) as caught:
        read_case_package(package, default_country="PH")
    assert caught.value.reason == "country mismatch"


def test_the_registry_groupings_are_understood_without_definitions():
    package = sample()
    del package["CFDefinitions"]
    links = package["CFAssociations"]
    links[3]["CFAssociationGroupingURI"] = {"title": "x", "identifier": OPTIONAL_GROUPING, "uri": "https://x"}
    links[4]["CFAssociationGroupingURI"] = {"title": "x", "identifier": ESSENTIAL_GROUPING, "uri": "https://x"}
    links[5]["CFAssociationGroupingURI"] = {  # another tool's grouping, known only by its title
        "title": "Optional units", "identifier": "1b7bb0a4-4c59-4c43-9b4e-b7a0f3c4e3d1", "uri": "https://x"}
    assert standards(read_case_package(package, default_country="AE"))["EL-01"].skills == [
        ("EL-S1", True), ("EL-S2", False), ("EL-S3", False)]


def test_a_wrapped_package_is_read():
    assert read_case_package({"CFPackage": sample()}, default_country="AE").framework.id == DOCUMENT_ID


@pytest.mark.parametrize("country, reason", [(None, "country unknown"), ("XX", "bad country code")])
def test_the_country_must_be_known_and_valid(country, reason):
    with pytest.raises(ImportRejected) as caught:
        read_case_package(sample(), default_country=country)
    assert caught.value.reason == reason and "country" in caught.value.detail


@pytest.mark.parametrize("package, reason", [
    ([], "no CFDocument object"),
    ({"CFItems": []}, "no CFDocument object"),
    ({"CFDocument": "x"}, "no CFDocument object"),
    ({**SAMPLE, "CFItems": {"not": "a list"}}, "CFItems is not a list of objects"),
    ({**SAMPLE, "CFDocument": {k: v for k, v in SAMPLE["CFDocument"].items() if k != "creator"}}, "missing creator"),
    ({**SAMPLE, "CFDocument": {**SAMPLE["CFDocument"], "identifier": "doc-1"}}, "identifier is not a UUID"),
    ({**SAMPLE, "CFItems": [{**SAMPLE["CFItems"][3]}]}, "no occupation in the package"),
])
def test_what_is_not_a_cfpackage_is_refused(package, reason):
    with pytest.raises(ImportRejected) as caught:
        read_case_package(package, default_country="AE")
    assert caught.value.reason == reason


def test_malformed_files_are_refused_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "CFDocument": {\n    "identifier": ,\n')
    with pytest.raises(ImportRejected) as caught:
        read_case_file(broken, default_country="AE")
    assert (caught.value.file, caught.value.row) == ("broken.json", 3)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"CFDocument": {"title": "Électricité"}}'.encode("latin-1"))
    with pytest.raises(ImportRejected) as caught:
        read_case_file(latin1, default_country="AE")
    assert caught.value.reason == "not UTF-8 text"


def test_bad_items_are_rejections_with_their_index():
    package = sample()
    del package["CFItems"][4]["lastChangeDateTime"]
    assert rejection(read_case_package(package, default_country="AE")) == (
        "CFPackage#/CFItems", 4, "lacks required CASE field(s): lastChangeDateTime")
    package = sample()
    package["CFItems"].append({**package["CFItems"][4], "humanCodingScheme": "EL-S2-COPY"})
    file, row, reason = rejection(read_case_package(package, default_country="AE"))
    assert row == 6 and "appears twice" in reason
    package = sample()
    package["CFItems"][2]["language"] = "not a tag!"
    assert rejection(read_case_package(package, default_country="AE"))[:2] == ("CFPackage#/CFItems", 2)


def test_dangling_and_invalid_associations_are_rejections_with_their_index():
    unknown = "0f6f5c1e-4b4a-4c3e-8a55-3f1f4f0e0b9a"
    package = sample()
    package["CFAssociations"][4]["destinationNodeURI"]["identifier"] = unknown
    file, row, reason = rejection(read_case_package(package, default_country="AE"))
    assert (file, row) == ("CFPackage#/CFAssociations", 4) and reason.startswith("dangling association: destination")
    package = sample()
    package["CFAssociations"][8]["originNodeURI"]["identifier"] = unknown
    assert rejection(read_case_package(package, default_country="AE"))[1:] == (
        8, f"dangling association: origin {unknown!r} is not in the package")
    package = sample()
    package["CFAssociations"][0]["associationType"] = "isParentOf"
    assert "not a CASE 1.0 association type" in rejection(read_case_package(package, default_country="AE"))[2]
    package = sample()
    del package["CFAssociations"][2]["uri"]
    assert rejection(read_case_package(package, default_country="AE"))[1:] == (
        2, "lacks required CASE field(s): uri")


def test_conflicting_classifications_are_rejected():
    package = sample()
    second = copy.deepcopy(package["CFAssociations"][8])
    second["identifier"] = "2c4f1f7e-3a0b-4d5c-9e6f-7a8b9c0d1e2f"
    second["destinationNodeURI"]["uri"] = "http://data.europa.eu/esco/isco/C7412"
    package["CFAssociations"].append(second)
    assert "second ISCO-08 group" in rejection(read_case_package(package, default_country="AE"))[2]


def test_an_occupation_retired_today_or_before_is_rejected_and_one_ending_later_is_not():
    package = sample()
    package["CFItems"][2]["statusEndDate"] = date.today().isoformat()
    bundle = read_case_package(package, default_country="AE")
    assert "retired" in rejection(bundle)[2]
    assert sorted(standards(bundle)) == ["EL-01"]  # and its skill-map links are not dangling
    package["CFItems"][2]["statusEndDate"] = (date.today() + timedelta(days=30)).isoformat()
    assert read_case_package(package, default_country="AE").rejected == []


def test_derived_identifiers_are_uuid5_in_the_registry_namespace():
    assert derived_id("CFAssociation", "a", "isChildOf", "b") == str(
        uuid.uuid5(CASE_NAMESPACE, "CFAssociation|a|isChildOf|b"))
    assert derived_id("x") != derived_id("y")


def test_a_classification_given_as_a_parent_is_read_and_other_outside_parents_are_dangling():
    package = sample()
    package["CFAssociations"][8]["associationType"] = "isChildOf"  # o1 -> ISCO-08 7411, as some tools write it
    assert standards(read_case_package(package, default_country="AE"))["EL-01"].isco08 == "7411"
    package["CFAssociations"][9]["associationType"] = "isChildOf"  # o1 -> an ESCO occupation: not a parent here
    assert rejection(read_case_package(package, default_country="AE"))[1:] == (
        9, "dangling association: destination 'http://data.europa.eu/esco/occupation/"
           "f2b15a0e-e65a-438a-affb-29b9d50b77d1' is not in the package")
