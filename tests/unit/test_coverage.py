"""Coverage on hand-made skill maps, in both directions."""
import pytest

from app.services.coverage import SkillLink, SkillUnit, compute_coverage, normalise_predicate, reversed_links


def unit(id, essential=True, uri=None):
    return SkillUnit(id=id, code=id.upper(), uri=uri, title={"en": id}, essential=essential)


A = [unit("a1"), unit("a2"), unit("a3", essential=False), unit("shared", uri="http://esco/skill/x")]
B = [unit("b1"), unit("b2"), unit("b3"), unit("b4", essential=False), unit("bx", uri="http://esco/skill/x")]
LINKS = [
    SkillLink("a1", "b1", "skos:exactMatch"),
    SkillLink("a2", "b2", "skos:broadMatch"),      # a2 is broader than b2: covers it
    SkillLink("a3", "b3", "skos:narrowMatch"),     # a3 is narrower than b3: partial only
    SkillLink("a3", "b4", "skos:closeMatch", "Not"),  # explicitly not equivalent
]


def codes(items):
    return [i["code"] for i in items]


def test_source_to_target():
    result = compute_coverage(A, B, LINKS)
    assert codes(result["covered"]) == ["B1", "B2", "BX"]
    assert [c["via"] for c in result["covered"]] == ["skill_mapping", "skill_mapping", "same_concept"]
    assert codes(result["gaps"]) == ["B3", "B4"]
    assert result["gaps"][0]["partial"] == [{"skill_id": "a3", "code": "A3", "predicate": "skos:narrowMatch"}]
    assert "partial" not in result["gaps"][1]  # the "Not" link is not even partial evidence
    assert (result["essential_covered"], result["essential_total"], result["essential_ratio"]) == (3, 4, 0.75)
    assert (result["optional_covered"], result["optional_total"]) == (0, 1)


def test_target_to_source_is_not_the_mirror_image():
    result = compute_coverage(B, A, reversed_links(LINKS))
    # b1 exactMatch a1 covers a1; b2 is narrower than a2 (reversed broadMatch): a2 stays a gap;
    # b3 is broader than a3 (reversed narrowMatch): covers a3.
    assert codes(result["covered"]) == ["A1", "A3", "SHARED"]
    assert codes(result["gaps"]) == ["A2"]
    assert result["gaps"][0]["partial"][0]["predicate"] == "skos:narrowMatch"
    assert result["essential_ratio"] == round(2 / 3, 4)


def test_no_essential_skills_means_nothing_essential_missing():
    result = compute_coverage(A, [unit("z", essential=False)], [])
    assert result["essential_ratio"] == 1.0 and result["optional_ratio"] == 0.0


def test_predicates():
    assert normalise_predicate("exactMatch") == "skos:exactMatch"
    assert normalise_predicate("skos:narrowMatch") == "skos:narrowMatch"
    with pytest.raises(ValueError):
        normalise_predicate("owl:sameAs")
