"""The SSSOM/TSV reader and the YAML metadata writer, against the spec's examples and an independent YAML parser."""
import pytest

from app.errors import ImportRejected
from app.services.sssom import _row, _RowError, _yaml_lines, parse_metadata, read_tsv

# The embedded-metadata example of the SSSOM/TSV specification (spec-formats-tsv.md), first two rows.
SPEC_EXAMPLE = (
    "#curie_map:\n"
    "#  FOODON: http://purl.obolibrary.org/obo/FOODON_\n"
    "#  KF_FOOD: https://kewl-foodie.inc/food/\n"
    "#  orcid: https://orcid.org/\n"
    "#mapping_set_id: https://w3id.org/sssom/tutorial/example1.sssom.tsv\n"
    "#mapping_set_description: Manually curated alignment of KEWL FOODIE INC internal food and nutrition database"
    " with Food Ontology (FOODON).\n"
    "#license: https://creativecommons.org/licenses/by/4.0/\n"
    "#mapping_date: 2022-05-02\n"
    "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\tauthor_id\tconfidence"
    "\tcomment\n"
    "KF_FOOD:F001\tapple\tskos:exactMatch\tFOODON:00002473\tapple (whole)\tsemapv:ManualMappingCuration\t"
    "orcid:0000-0002-7356-1779\t0.95\t\"We could map to FOODON:03310788 instead to cover sliced apples, but only "
    "\"\"whole\"\" apple types exist.\"\n"
    "KF_FOOD:F002\tgala\tskos:exactMatch\tFOODON:00003348\tGala apple (whole)\tsemapv:ManualMappingCuration\t"
    "orcid:0000-0002-7356-1779\t1\t\n"
)


def metadata(text):
    """parse_metadata over the lines of a '#'-prefixed block."""
    return parse_metadata([(n, line[1:]) for n, line in enumerate(text.strip("\n").split("\n"), start=1)])


def refused(call):
    with pytest.raises(ImportRejected) as caught:
        call()
    return caught.value


def test_reads_the_spec_example():
    parsed = read_tsv(SPEC_EXAMPLE)
    assert parsed.metadata["curie_map"] == {"FOODON": "http://purl.obolibrary.org/obo/FOODON_",
                                            "KF_FOOD": "https://kewl-foodie.inc/food/", "orcid": "https://orcid.org/"}
    assert parsed.metadata["mapping_date"] == "2022-05-02"
    assert parsed.metadata["mapping_set_description"].endswith("with Food Ontology (FOODON).")
    assert parsed.curie_map["skos"] == "http://www.w3.org/2004/02/skos/core#"  # built-in, not declared
    assert [line for line, _ in parsed.rows] == [10, 11]
    first, second = parsed.rows[0][1], parsed.rows[1][1]
    assert first["comment"] == ('We could map to FOODON:03310788 instead to cover sliced apples, but only '
                                '"whole" apple types exist.')
    assert (first["confidence"], second["confidence"], second["comment"]) == ("0.95", "1", None)


def test_metadata_forms_other_writers_produce():
    parsed = metadata("""
#  curie_map:
#    HP: "http://purl.obolibrary.org/obo/HP_"
#  creator_id:
#    - "orcid:0000-0002-7356-1779"
#  creator_label: ['Dana O''Neil', Sam]
#  mapping_set_title: 'A: quoted # title'
#  mapping_set_description: a description that a YAML writer
#    folded over two lines  # with a comment
#  extension_definitions:
#  - slot_name: ext_foo
#    property: ex:foo
#    type_hint: xsd:string
""")
    assert parsed == {
        "curie_map": {"HP": "http://purl.obolibrary.org/obo/HP_"},
        "creator_id": ["orcid:0000-0002-7356-1779"],
        "creator_label": ["Dana O'Neil", "Sam"],
        "mapping_set_title": "A: quoted # title",
        "mapping_set_description": "a description that a YAML writer folded over two lines",
        "extension_definitions": [{"slot_name": "ext_foo", "property": "ex:foo", "type_hint": "xsd:string"}],
    }


@pytest.mark.parametrize("block, line, reason", [
    # The spec's "illegal case 1": a comment that is not part of the metadata.
    ("# This is a comment.\n#curie_map:\n#  HP: http://purl.obolibrary.org/obo/HP_", 1, "top-level 'name: value'"),
    ("#curie_map:\n#  HP: http://purl.obolibrary.org/obo/HP_\n# stray: indented", 3, "indentation of the lines above"),
    ("# curie_map:\n#   HP: http://purl.obolibrary.org/obo/HP_\n#license: x", 3, "same 1 space(s) after '#'"),
    ("#license: &anchor https://example.org/l", 1, "YAML feature"),
    ("#license: x\n#license: y", 2, "appears twice"),
    ("#creator_id:\n#  - a\n#    - b", 3, "YAML sequence"),
])
def test_metadata_outside_the_subset_is_refused_with_its_line(block, line, reason):
    error = refused(lambda: metadata(block))
    assert error.row == line and reason in error.reason


TRICKY = ["plain title", "Title: with colon", "a #hash", "#start", "- dash", "yes", "No", "2024", "1.0", "null",
          'say "hi"', "back\\slash", "tab\there", "new\nline", "Ünïcode — ×", "ends with colon:", " leading space",
          "trailing space ", "http://www.w3.org/2004/02/skos/core#", "O'Neil", "[not a list]", "{not: a map}",
          "", "~", "*star", "&amp", "%percent", "@at", "`tick", "!bang", "|pipe", ">gt"]


@pytest.mark.parametrize("value", TRICKY)
def test_written_scalars_read_back_the_same_here_and_with_pyyaml(value):
    yaml = pytest.importorskip("yaml")
    lines = _yaml_lines({"mapping_set_title": value})
    assert len(lines) == 1 and lines[0].startswith("#mapping_set_title: ")
    assert yaml.safe_load(lines[0][1:]) == {"mapping_set_title": value}
    expected = value.strip() or None  # our reader: a plain value has no surrounding spaces; empty is no value
    if lines[0][len("#mapping_set_title: "):].startswith('"'):
        expected = value
    assert metadata(lines[0]) == {"mapping_set_title": expected}


def test_written_mappings_and_sequences_read_back_with_pyyaml():
    yaml = pytest.importorskip("yaml")
    data = {"curie_map": {"skos": "http://www.w3.org/2004/02/skos/core#", "x": "https://example.org/a?b=c&d"},
            "creator_label": ["Ministry: Labour", "yes"], "publication_date": "2026-12-01",
            "extension_definitions": [{"slot_name": "subject_uri", "property": "srrterm:subject_uri",
                                       "type_hint": "xsd:anyURI"}]}
    lines = _yaml_lines(data)
    loaded = yaml.safe_load("\n".join(line[1:] for line in lines))
    assert loaded["publication_date"].isoformat() == "2026-12-01"  # a plain date, as the spec's examples write it
    assert {k: v for k, v in loaded.items() if k != "publication_date"} == \
        {k: v for k, v in data.items() if k != "publication_date"}
    assert metadata("\n".join(lines)) == data


HEADER = "subject_id\tpredicate_id\tobject_id\tmapping_justification\tcomment\n"
META = "#curie_map:\n#  ex: https://example.org/\n#mapping_set_id: https://example.org/set\n#license: https://l.example/\n"


def test_rows_keep_their_physical_line_numbers_across_quoted_line_breaks():
    text = (META + HEADER + 'ex:a\tskos:exactMatch\tex:b\tsemapv:ManualMappingCuration\t"two\nlines"\n'
            "ex:c\tskos:exactMatch\tex:d\tsemapv:ManualMappingCuration\n"
            "ex:e\tskos:closeMatch\tex:f\tsemapv:ManualMappingCuration\t\n")
    parsed = read_tsv(text.replace("\n", "\r\n"))
    assert [line for line, _ in parsed.rows] == [6, 9]
    assert parsed.rows[0][1]["comment"] == "two\nlines"
    assert parsed.rejected == [{"row": 8, "reason": "has 4 fields; the header has 5"}]
    assert read_tsv("\ufeff" + text).rows[1][0] == 9  # a byte order mark is tolerated


@pytest.mark.parametrize("text, line, reason", [
    (HEADER, 1, "no metadata block"),
    ("#curie_map:\n#  ex: https://example.org/\n#license: https://l.example/\n" + HEADER, 1, "no mapping_set_id"),
    ("#curie_map: https://example.org/\n#mapping_set_id: s\n#license: l\n" + HEADER, 1, "curie_map must map"),
    (META.replace("ex:", "skos:") + HEADER, 1, "redefines the built-in prefix skos"),
    (META, 5, "no header line"),
    (META + "subject_id\tobject_id\n", 5, "lacks the column(s) predicate_id, mapping_justification"),
    (META + HEADER.replace("comment", "subject_id"), 5, "repeats subject_id"),
    (META + HEADER + 'ex:a\tskos:exactMatch\tex:b\tsemapv:X\t"unterminated\n', 6, "malformed TSV"),
])
def test_malformed_files_are_refused_with_line_and_reason(text, line, reason):
    error = refused(lambda: read_tsv(text, source="f.sssom.tsv"))
    assert (error.file, error.row) == ("f.sssom.tsv", line) and reason in error.reason, error.reason


def row_problem(**cells):
    parsed = read_tsv(META.replace("#mapping_set_id", "#  SKOSX: http://www.w3.org/2004/02/skos/core#\n#mapping_set_id")
                      + HEADER)
    record = {"subject_id": "ex:a", "predicate_id": "skos:exactMatch", "object_id": "ex:b",
              "mapping_justification": "semapv:ManualMappingCuration", **cells}
    try:
        return _row(parsed, 7, record)
    except _RowError as exc:
        return str(exc)


def test_row_checks():
    row = row_problem(predicate_id="SKOSX:broadMatch", predicate_modifier="Not", confidence="0.25")
    assert (row.predicate, row.modifier, row.confidence, row.subject.iri) == \
        ("skos:broadMatch", "Not", 0.25, "https://example.org/a")  # any prefix for the SKOS namespace
    assert row_problem(subject_id="https://example.org/a") == \
        "subject_id 'https://example.org/a' is an IRI; SSSOM/TSV identifiers are CURIEs"
    assert row_problem(object_id="nope:b") == "object_id 'nope:b' uses the prefix nope, which curie_map does not declare"
    assert row_problem(mapping_justification="ex:Guess") == "mapping_justification 'ex:Guess' is not a semapv: term"
    assert row_problem(confidence="NaN") == "confidence 'NaN' is not a number from 0 to 1"
    assert row_problem(predicate_id="skos:exactMatch", confidence="-0.1", predicate_modifier="not") == \
        "predicate_modifier 'not' must be empty or Not; confidence '-0.1' is not a number from 0 to 1"
    assert row_problem(subject_id=None) == "subject_id is empty"
