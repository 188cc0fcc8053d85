"""Which of a target standard's skill units a source standard covers, by direction. Pure functions.

A source skill covers a target skill when a skill mapping says the source skill is the same
(skos:exactMatch, closeMatch) or broader (skos:broadMatch: "source is broader than target"), with
no "Not" modifier, or when both are the same concept: the same skill unit of one framework, or
the same skill URI (an ESCO skill used by two frameworks). narrowMatch and relatedMatch are
recorded as partial evidence, never as coverage. Reading a mapping backwards swaps broad and narrow.
"""
from dataclasses import dataclass

PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")
INVERSE = {
    "skos:exactMatch": "skos:exactMatch",
    "skos:closeMatch": "skos:closeMatch",
    "skos:broadMatch": "skos:narrowMatch",
    "skos:narrowMatch": "skos:broadMatch",
    "skos:relatedMatch": "skos:relatedMatch",
}
COVERING = frozenset({"skos:exactMatch", "skos:closeMatch", "skos:broadMatch"})


@dataclass(frozen=True)
class SkillUnit:
    id: str
    code: str
    uri: str | None
    title: dict
    essential: bool


@dataclass(frozen=True)
class SkillLink:
    """`source` <predicate> `target`, in the direction being computed."""

    source_id: str
    target_id: str
    predicate: str
    modifier: str | None = None


def normalise_predicate(value: str) -> str:
    """Accept 'exactMatch' or 'skos:exactMatch'; return the CURIE, or raise ValueError."""
    curie = value if value.startswith("skos:") else f"skos:{value}"
    if curie not in INVERSE:
        raise ValueError(f"{value!r} is not a SKOS mapping predicate ({', '.join(PREDICATES)})")
    return curie


def inverse(predicate: str) -> str:
    return INVERSE[predicate]


def reversed_links(links: list[SkillLink]) -> list[SkillLink]:
    return [SkillLink(l.target_id, l.source_id, INVERSE[l.predicate], l.modifier) for l in links]


def _unit(skill: SkillUnit) -> dict:
    return {"skill_id": skill.id, "code": skill.code, "title": skill.title, "essential": skill.essential}


def compute_coverage(source_skills: list[SkillUnit], target_skills: list[SkillUnit], links: list[SkillLink]) -> dict:
    """What `source_skills` cover of `target_skills`, given links read from source to target."""
    source_by_id = {s.id: s for s in source_skills}
    source_by_uri = {s.uri: s for s in source_skills if s.uri}
    links_to = {}
    for link in links:
        if link.source_id in source_by_id:
            links_to.setdefault(link.target_id, []).append(link)
    covered, gaps = [], []
    for skill in target_skills:
        by, partial = [], []
        same = source_by_id.get(skill.id) or (source_by_uri.get(skill.uri) if skill.uri else None)
        for link in links_to.get(skill.id, []):
            evidence = {"skill_id": link.source_id, "code": source_by_id[link.source_id].code,
                        "predicate": link.predicate}
            if link.modifier == "Not":
                continue  # an explicit "not equivalent" is never coverage
            (by if link.predicate in COVERING else partial).append(evidence)
        if same is not None:
            covered.append({**_unit(skill), "via": "same_concept",
                            "by": [{"skill_id": same.id, "code": same.code, "predicate": "skos:exactMatch"}]})
        elif by:
            covered.append({**_unit(skill), "via": "skill_mapping", "by": by})
        else:
            gaps.append({**_unit(skill), **({"partial": partial} if partial else {})})
    essential_total = sum(1 for s in target_skills if s.essential)
    essential_covered = sum(1 for s in covered if s["essential"])
    optional_total = len(target_skills) - essential_total
    optional_covered = len(covered) - essential_covered
    return {
        "covered": covered,
        "gaps": gaps,
        "essential_total": essential_total,
        "essential_covered": essential_covered,
        # No essential skills means nothing essential is missing.
        "essential_ratio": round(essential_covered / essential_total, 4) if essential_total else 1.0,
        "optional_total": optional_total,
        "optional_covered": optional_covered,
        "optional_ratio": round(optional_covered / optional_total, 4) if optional_total else 1.0,
    }
