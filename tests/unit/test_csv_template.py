"""The CSV template reader: records from a valid file, and file, row and reason for every bad row."""
import pytest

from app.errors import ImportRejected, InvalidInput
from app.importers.csv_template import read_csv_template
from config import PROJECT_ROOT

HEADER = ("standard_code,standard_title,standard_title_ar,isco08,level,eqf_level,"
          "skill_code,skill_title,skill_title_ar,essential\n")
VALID = HEADER + (
    "ELEC-2,Electrician,كهربائي,7411,2,3,OHS-01,Apply safety procedures,تطبيق إجراءات السلامة,yes\n"
    "ELEC-2,Electrician,,,,,ELEC-01,Install wiring,تركيب الأسلاك,TRUE\n"
    "ELEC-2,Electrician,,,,,COMM-01,Communicate at work,,0\n"
    "WELD-2,Welder,,7212,2,,OHS-01,Apply safety procedures,,1\n"
    "WELD-2,Welder,,,,,WELD-01,Weld plates,,\n"
)


def write(tmp_path, text, name="standards.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path, **options):
    return read_csv_template(path, "NC", "National certificates", "PH", "2024", **options)


def test_valid_file_gives_standards_skill_maps_languages_and_essential_flags(tmp_path):
    bundle = read(write(tmp_path, VALID))
    assert bundle.rejected == []
    assert (bundle.framework.code, bundle.framework.country, bundle.framework.version) == ("NC", "PH", "2024")
    assert bundle.framework.languages == ["en", "ar"]
    electrician, welder = bundle.standards
    assert electrician.code == "ELEC-2" and electrician.title == {"en": "Electrician", "ar": "كهربائي"}
    assert (electrician.isco08, electrician.level, electrician.eqf_level) == ("7411", "2", 3)
    assert electrician.skills == [("OHS-01", True), ("ELEC-01", True), ("COMM-01", False)]
    assert welder.title == {"en": "Welder"} and welder.eqf_level is None
    assert welder.skills == [("OHS-01", True), ("WELD-01", True)]  # an empty essential cell means yes
    assert [s.code for s in bundle.skills] == ["OHS-01", "ELEC-01", "COMM-01", "WELD-01"]  # OHS-01 once
    assert bundle.skills[0].title == {"en": "Apply safety procedures", "ar": "تطبيق إجراءات السلامة"}
    assert (electrician.source_row, welder.source_row, bundle.skills[3].source_row) == (2, 5, 6)


def test_descriptions_uris_bom_case_and_blank_rows(tmp_path):
    text = ("\ufeffStandard_Code,standard_title,standard_description,standard_description_fil,standard_uri,"
            "skill_code,skill_title,skill_description,skill_uri\n"
            'P-1,Plumber,"Installs pipes, fixtures",Nag-i-install ng tubo,https://example.org/P-1,'
            "PL-1,Install pipes,Cuts and joins pipes,https://example.org/PL-1\n"
            ",,,,,,,,\n"
            "\n")
    bundle = read(write(tmp_path, text))
    assert bundle.rejected == []
    assert bundle.framework.languages == ["en", "fil"]
    (plumber,) = bundle.standards
    assert plumber.description == {"en": "Installs pipes, fixtures", "fil": "Nag-i-install ng tubo"}
    assert plumber.uri == "https://example.org/P-1"
    assert (bundle.skills[0].description, bundle.skills[0].uri) == ({"en": "Cuts and joins pipes"},
                                                                  "https://example.org/PL-1")


def test_declared_languages_choose_the_first_language(tmp_path):
    text = "standard_code,standard_title,standard_title_EN,skill_code,skill_title\nK-1,كهربائي,Electrician,S-1,سلامة\n"
    bundle = read(write(tmp_path, text), languages=["ar", "en"])
    assert bundle.framework.languages == ["ar", "en"]
    assert bundle.standards[0].title == {"ar": "كهربائي", "en": "Electrician"}  # the tag's case is normalised
    assert bundle.skills[0].title == {"ar": "سلامة"}


BAD_ROWS = [
    ("empty required cell", "ELEC-2,Electrician,,,,,ELEC-09,,,yes\n", "skill_title is empty"),
    ("bad ISCO-08 code", "ELEC-2,Electrician,,74111,,,ELEC-09,Test circuits,,yes\n",
     "isco08 '74111' is not an ISCO-08 code"),
    ("letters in ISCO-08 code", "ELEC-2,Electrician,,74A1,,,ELEC-09,Test circuits,,yes\n", "isco08 '74A1'"),
    ("bad essential value", "ELEC-2,Electrician,,,,,ELEC-09,Test circuits,,maybe\n",
     "essential 'maybe' is not one of yes, no, true, false, 1, 0"),
    ("bad EQF level", "ELEC-2,Electrician,,,,9,ELEC-09,Test circuits,,yes\n", "eqf_level '9' is not a whole number"),
    ("inconsistent standard title", "ELEC-2,Electrican,,,,,ELEC-09,Test circuits,,yes\n",
     "standard ELEC-2: standard_title 'Electrican' differs from 'Electrician' on row 2"),
    ("inconsistent ISCO-08 code", "ELEC-2,Electrician,,7412,,,ELEC-09,Test circuits,,yes\n",
     "standard ELEC-2: isco08 '7412' differs from '7411' on row 2"),
    ("skill code reused with a different title", "ELEC-2,Electrician,,,,,WELD-01,Weld pipes,,yes\n",
     "skill WELD-01: skill_title 'Weld pipes' differs from 'Weld plates' on row 6"),
    ("skill twice in one standard", "ELEC-2,Electrician,,,,,ELEC-01,Install wiring,,yes\n",
     "skill ELEC-01 is already in standard ELEC-2 on row 3"),
    ("too few cells", "ELEC-2,Electrician,ELEC-09,Test circuits\n", "has 4 cells but the header has 10 columns"),
]


@pytest.mark.parametrize("row, reason", [case[1:] for case in BAD_ROWS], ids=[case[0] for case in BAD_ROWS])
def test_each_kind_of_bad_row_is_rejected_with_file_row_and_reason(tmp_path, row, reason):
    bundle = read(write(tmp_path, VALID + row))
    assert len(bundle.rejected) == 1, bundle.rejected
    rejection = bundle.rejected[0]
    assert (rejection.file, rejection.row) == ("standards.csv", 7)
    assert reason in rejection.reason
    # A bad row leaves its whole standard out, so no standard is imported with units missing.
    codes = [s.code for s in bundle.standards]
    assert "WELD-2" in codes and "ELEC-2" not in codes
    assert [s.code for s in bundle.skills] == ["OHS-01", "WELD-01"]


def test_a_row_without_a_standard_code_belongs_to_no_standard(tmp_path):
    bundle = read(write(tmp_path, VALID + ",Electrician,,,,,ELEC-09,Test circuits,,yes\n"))
    assert [(r.row, r.code, r.reason) for r in bundle.rejected] == [(7, None, "standard_code is empty")]
    assert [s.code for s in bundle.standards] == ["ELEC-2", "WELD-2"]


def test_every_problem_of_a_row_is_named_once(tmp_path):
    bundle = read(write(tmp_path, VALID + "X-1,Mason,,99999,,0,M-1,,,often\n"))
    (rejection,) = bundle.rejected
    assert rejection.row == 7 and rejection.code == "X-1"
    for part in ("skill_title is empty", "isco08 '99999'", "eqf_level '0'", "essential 'often'"):
        assert part in rejection.reason


def test_rejected_rows_across_the_file_are_all_reported(tmp_path):
    text = VALID.replace("OHS-01,Apply safety procedures,,1", "OHS-01,Apply safety,,1").replace(",0\n", ",nope\n")
    bundle = read(write(tmp_path, text))
    assert [(r.row, r.code) for r in bundle.rejected] == [(4, "ELEC-2"), (5, "WELD-2")]
    assert bundle.standards == [] and bundle.skills == []


@pytest.mark.parametrize("header, message", [
    ("standard_code,standard_title,skill_code,skill_title,occupation\n", "unknown column(s): occupation"),
    ("standard_code,standard_title,skill_code\n", "missing required column(s): skill_title"),
    ("standard_code,standard_title,skill_code,skill_title,\n", "column(s) 5 have no name"),
    ("standard_code,standard_title,standard_title_en,skill_code,skill_title\n",
     "columns 'standard_title' and 'standard_title_en' hold the same values"),
    ("standard_code;standard_title;skill_code;skill_title\n", "separated by commas"),
])
def test_a_malformed_header_refuses_the_file(tmp_path, header, message):
    cells = header.count(",") + 1 if "," in header else 1
    path = write(tmp_path, header + ",".join(["x"] * cells) + "\n")
    with pytest.raises(ImportRejected) as caught:
        read(path)
    assert message in caught.value.detail
    assert (caught.value.file, caught.value.row) == ("standards.csv", 1)


def test_a_bad_language_tag_in_a_column_name_is_a_header_rejection(tmp_path):
    text = ("standard_code,standard_title,skill_code,skill_title,skill_title_pt_BR\n"
            "P-1,Plumber,S-1,Install pipes,Instalar\n")
    bundle = read(write(tmp_path, text))
    (rejection,) = bundle.rejected
    assert (rejection.file, rejection.row, rejection.code) == ("standards.csv", 1, None)
    assert "'pt_BR' is not a BCP 47 language tag (write 'pt-BR')" in rejection.reason
    assert bundle.skills[0].title == {"en": "Install pipes"}  # the column is ignored (with --allow-rejects)


def test_a_language_outside_the_declared_languages_is_rejected(tmp_path):
    text = "standard_code,standard_title,standard_title_fr,skill_code,skill_title\nP-1,Plumber,Plombier,S-1,Pipes\n"
    bundle = read(write(tmp_path, text), languages=["en", "ar"])
    assert "language 'fr' is not one of the framework's languages (en, ar)" in bundle.rejected[0].reason
    assert bundle.framework.languages == ["en", "ar"]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (HEADER.encode(), "has a header but no rows"),
    (HEADER.encode() + "P-1,Plumber,,,,,S-1,Caf\u00e9,,yes\n".encode("latin-1"),
     "is not UTF-8 (invalid byte on line 2)"),
])
def test_empty_or_undecodable_files_are_refused(tmp_path, content, message):
    path = tmp_path / "standards.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as caught:
        read(path)
    assert message in caught.value.detail


@pytest.mark.parametrize("options, field", [
    ({"country": "Philippines"}, "country"), ({"country": "ph"}, "country"),
    ({"framework_code": " "}, "framework_code"), ({"languages": ["en", "ar_AE"]}, "languages"),
])
def test_bad_framework_options_are_refused(tmp_path, options, field):
    arguments = {"framework_code": "NC", "framework_title": "National certificates", "country": "PH",
                 "version": "2024", **options}
    with pytest.raises(InvalidInput) as caught:
        read_csv_template(write(tmp_path, VALID), **arguments)
    assert field in caught.value.errors


@pytest.mark.parametrize("relative_path", [
    "docs/csv-template-example.csv",
    "sample/ph-tesda-training-regulations.csv",
    "sample/ae-national-occupational-standards.csv",
])
def test_shipped_files_follow_the_template(relative_path):
    bundle = read(PROJECT_ROOT / relative_path, languages=["en", "ar"])
    assert bundle.rejected == []
    assert bundle.standards and all(s.skills and s.title.get("en") for s in bundle.standards)
