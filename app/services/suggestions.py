"""Equivalence suggestions: a target framework's published standards ranked against one source standard.

A suggestion is never a mapping: nothing is written, and each candidate carries the evidence
behind its score, so that a recognition authority can judge it before creating a mapping.

score = the weighted mean of the components that apply to this source and target framework:
- text: TF-IDF similarity of names, descriptions and skill maps (app/services/suggestion_index.py);
- isco: both standards carry ISCO-08 codes: 1 for the same unit group, 0.5 for the same minor group
  (3 digits), 0.25 for the same sub-major group (2 digits);
- crosswalk: the same scale where one side's ISCO-08 group comes through a classification crosswalk
  (a SOC-coded standard such as O*NET's 47-2111.00 -> SOC 47-2111 -> ISCO-08 groups in the BLS table);
- level: ISCO-08 skill levels (from EQF levels, O*NET Job Zones or the ISCO major group) 1 equal,
  0.5 one apart, 0 further; a target of unknown level scores a neutral 0.5.

The text index of a target framework is built once per process on first use and rebuilt when the
framework's published content or the crosswalks change (see _fingerprint).
"""
import re
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import ClassificationCrosswalk, Framework, Skill, Standard, StandardSkill, StandardVersion
from app.services import crosswalks

# Global weights, chosen on half of the dev crosswalk's ISCO groups and checked on the other half
# (bench/suggestions_quality.py prints both). Text carries the ranking. The crosswalk lifts candidates
# in the right group: 0.10 was best on the tuning half (0.05 and 0.15 lower R@10 and P@1). Level
# proximity measured neutral at 0.02 and slightly negative at 0.05, so it only breaks near-ties.
# The isco weight cannot be measured on ESCO -> O*NET (O*NET has no ISCO codes): it equals the
# crosswalk's, the same group evidence without a many-to-many table in between.
BASE_WEIGHTS = {"text": 0.88, "isco": 0.10, "crosswalk": 0.10, "level": 0.02}

NOTE = ("Suggestions are ranked candidates for a human to review, not mappings: nothing was created. "
        "Record an equivalence with POST /api/v1/mappings.")

# Shared leading ISCO-08 digits -> group similarity (unit, minor, sub-major group).
DIGIT_SCORES = {4: 1.0, 3: 0.5, 2: 0.25}
# An O*NET-SOC 2019 code is built on SOC 2018; the crosswalk we hold is SOC 2010. Most detailed codes
# are the same in both; a code the table lacks (renumbered in 2018, e.g. 15-1252 Software Developers)
# falls back to the SOC codes of its broad group (first five digits), then its minor group (first three),
# with confidence halved at each step.
SOC_CODE = re.compile(r"(\d{2}-\d{4})(\.\d{2})?")
SOC_FALLBACKS = (("exact code", 7, 1.0), ("same SOC broad group", 6, 0.5), ("same SOC minor group", 4, 0.25))
# Frameworks whose `level` is an O*NET Job Zone (1-5); other frameworks' levels follow unknown schemes.
JOB_ZONE_FRAMEWORKS = {"ONET-SOC"}
# ISCO-08 skill levels (1 to 4) of each level scheme, from the ILO's ISCO-08 definitions.
JOB_ZONE_SKILL_LEVELS = {"1": (1,), "2": (2,), "3": (2, 3), "4": (3, 4), "5": (4,)}
EQF_SKILL_LEVELS = {1: (1,), 2: (1, 2), 3: (2,), 4: (2,), 5: (3,), 6: (4,), 7: (4,), 8: (4,)}
ISCO_MAJOR_SKILL_LEVELS = {"1": (3, 4), "2": (4,), "3": (3,), "4": (2,), "5": (2,), "6": (2,), "7": (2,), "8": (2,),
                           "9": (1,)}
ARMED_FORCES_SKILL_LEVELS = {"01": (4,), "02": (2,), "03": (1,)}
UNKNOWN_LEVEL = 0.5
CACHE_SIZE = 8


# ---------------------------------------------------------------- evidence of one standard

@dataclass
class Entry:
    """What the ranking needs of one published standard version."""

    standard_id: uuid.UUID
    version_id: uuid.UUID
    code: str
    version: int
    title: dict
    level: str | None
    eqf_level: int | None
    isco08: str | None
    uri: str | None
    names: list
    description: str
    skills: list  # (title, essential) in skill-map order
    isco_via: dict = field(default_factory=dict)  # ISCO-08 code -> (confidence, how) through a crosswalk
    skill_level: tuple | None = None
    skill_level_source: str | None = None


def _strings(language_map) -> list:
    """Every string of a language map, in order ({"en": "a", "fr": ["b", "c"]} -> ["a", "b", "c"])."""
    out = []
    for value in (language_map or {}).values():
        out.extend(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return out


def _entry(row, skills) -> Entry:
    return Entry(
        standard_id=row.standard_id, version_id=row.version_id, code=row.code, version=row.version,
        title=row.title or {}, level=row.level, eqf_level=row.eqf_level, isco08=row.isco08, uri=row.uri,
        names=list(dict.fromkeys(_strings(row.title) + _strings(row.alt_labels))),
        description=" ".join(_strings(row.description)), skills=skills,
    )


def _add_structure(entry: Entry, framework_code: str, soc_map: "SocMap") -> None:
    """Fill in the ISCO-08 groups reached through crosswalks and the ISCO-08 skill level."""
    match = SOC_CODE.fullmatch(entry.code)
    if match and not entry.isco08:
        entry.isco_via = soc_map.isco_for(match.group(1))
    if entry.eqf_level in EQF_SKILL_LEVELS:
        entry.skill_level = EQF_SKILL_LEVELS[entry.eqf_level]
        entry.skill_level_source = f"EQF level {entry.eqf_level}"
    elif framework_code in JOB_ZONE_FRAMEWORKS and entry.level in JOB_ZONE_SKILL_LEVELS:
        entry.skill_level = JOB_ZONE_SKILL_LEVELS[entry.level]
        entry.skill_level_source = f"Job Zone {entry.level}"
    elif entry.isco08:
        levels = ARMED_FORCES_SKILL_LEVELS.get(entry.isco08[:2]) or ISCO_MAJOR_SKILL_LEVELS.get(entry.isco08[:1])
        if levels:
            entry.skill_level = levels
            entry.skill_level_source = f"ISCO-08 major group {entry.isco08[:1]}"


class SocMap:
    """SOC codes -> ISCO-08 groups, from every stored ISCO-08 <-> SOC crosswalk."""

    def __init__(self, pairs):
        # prefix length -> prefix -> [(system, SOC code, ISCO-08 code, partial)], one dict per fallback step
        self.by_prefix = {length: {} for _label, length, _confidence in SOC_FALLBACKS}
        for system, soc_code, isco_code, partial in sorted(pairs):
            for length, groups in self.by_prefix.items():
                groups.setdefault(soc_code[:length], []).append((system, soc_code, isco_code, partial))

    def isco_for(self, soc_code: str) -> dict:
        """ISCO-08 code -> (confidence, explanation) for one SOC detailed code (see SOC_FALLBACKS)."""
        for label, length, confidence in SOC_FALLBACKS:
            found = {}
            for system, code, isco_code, partial in self.by_prefix[length].get(soc_code[:length], ()):
                how = {"soc_code": soc_code, "via": f"{system} {code}", "match": label, "partial": partial}
                found.setdefault(isco_code, (confidence, how))
            if found:
                return found
        return {}


def shared_digits(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


def _group_score(a: str, b: str) -> float:
    return DIGIT_SCORES.get(min(shared_digits(a, b), 4), 0.0)


def _isco_sets(entry: Entry) -> dict:
    """ISCO-08 code -> (confidence, how, native?) for a standard: its own code, else crosswalked ones."""
    if entry.isco08:
        return {entry.isco08: (1.0, None, True)}
    return {code: (confidence, how, False) for code, (confidence, how) in entry.isco_via.items()}


def _level_score(source_levels, target_levels):
    distance = min(abs(a - b) for a in source_levels for b in target_levels)
    return {0: 1.0, 1: 0.5}.get(distance, 0.0), distance


# ---------------------------------------------------------------- the per-framework index

@dataclass
class FrameworkIndex:
    framework_id: uuid.UUID
    fingerprint: tuple
    entries: list
    text: object  # suggestion_index.TextIndex
    built_seconds: float
    any_native_isco: bool
    any_crosswalked_isco: bool
    any_skill_level: bool


_cache: "OrderedDict[uuid.UUID, FrameworkIndex]" = OrderedDict()
_lock = threading.Lock()


def _fingerprint(session: Session, framework_id: uuid.UUID) -> tuple:
    """Cheap signature of what an index is built from: one round trip, three aggregates.

    Published heads (count, newest publication and retirement), the framework's skill units
    (count, newest update: titles are edited in place by re-imports) and the crosswalks.
    """
    sv, st, sk, cw = StandardVersion, Standard, Skill, ClassificationCrosswalk
    heads = sa.select(sv.id).join(st, sv.standard_id == st.id).where(
        st.framework_id == framework_id, sv.is_public_head).subquery()
    heads_of = sa.select(sv.published_at, sv.retired_at).where(sv.id.in_(sa.select(heads.c.id))).subquery()
    skills = sa.select(sk.updated_at).where(sk.framework_id == framework_id).subquery()
    aggregates = [
        sa.select(sa.func.count()).select_from(heads_of), sa.select(sa.func.max(heads_of.c.published_at)),
        sa.select(sa.func.max(heads_of.c.retired_at)),
        sa.select(sa.func.count()).select_from(skills), sa.select(sa.func.max(skills.c.updated_at)),
        sa.select(sa.func.count()).select_from(cw), sa.select(sa.func.max(cw.updated_at)),
    ]
    row = session.execute(sa.select(*(a.scalar_subquery() for a in aggregates))).one()
    return tuple(str(value) for value in row)


def _published_rows(session: Session, framework_id: uuid.UUID):
    sv, st = StandardVersion, Standard
    return session.execute(
        sa.select(st.id.label("standard_id"), sv.id.label("version_id"), _key(sv.id).label("version_key"), st.code,
                  sv.version, sv.title, sv.alt_labels, sv.description, sv.level, sv.eqf_level, sv.isco08, sv.uri)
        .join(st, sv.standard_id == st.id)
        .where(st.framework_id == framework_id, sv.is_public_head, sv.status == "published")
        .order_by(st.code)
    ).all()


def _key(column):
    """A UUID column as the driver returns it: hashable, and skips converting 100k values into uuid.UUID."""
    return sa.type_coerce(column, sa.String)


def _skill_maps(session: Session, framework_id: uuid.UUID) -> dict:
    """version key -> [(skill title text, essential)] for the framework's published heads."""
    sv, st, link, sk = StandardVersion, Standard, StandardSkill, Skill
    # Titles are read once per skill, links without them: decoding each title's JSON once per link
    # (124k ESCO links over 14k skills) took most of the load.
    titles = {skill_id: " / ".join(_strings(title)) for skill_id, title in
              session.execute(sa.select(_key(sk.id), sk.title).where(sk.framework_id == framework_id))}
    heads = sa.select(sv.id).join(st, sv.standard_id == st.id).where(
        st.framework_id == framework_id, sv.is_public_head, sv.status == "published")
    maps = {}
    for version_key, skill_key, essential in session.execute(
            sa.select(_key(link.standard_version_id), _key(link.skill_id), link.essential)
            .where(link.standard_version_id.in_(heads)).order_by(link.standard_version_id, link.position)):
        maps.setdefault(version_key, []).append((titles[skill_key], bool(essential)))
    return maps


def _build(session: Session, framework: Framework, fingerprint: tuple) -> FrameworkIndex:
    from app.services.suggestion_index import TextDocument, TextIndex  # scikit-learn: only when first needed

    started = time.perf_counter()
    soc_map = SocMap(crosswalks.soc_isco_pairs(session))
    skill_maps = _skill_maps(session, framework.id)
    entries = []
    for row in _published_rows(session, framework.id):
        entry = _entry(row, skill_maps.get(row.version_key, []))
        _add_structure(entry, framework.code, soc_map)
        entries.append(entry)
    text = TextIndex([TextDocument(e.names, e.description, [t for t, _ in e.skills]) for e in entries]) \
        if entries else None
    return FrameworkIndex(
        framework_id=framework.id, fingerprint=fingerprint, entries=entries, text=text,
        built_seconds=time.perf_counter() - started,
        any_native_isco=any(e.isco08 for e in entries),
        any_crosswalked_isco=any(e.isco_via for e in entries),
        any_skill_level=any(e.skill_level for e in entries),
    )


def framework_index(session: Session, framework: Framework) -> FrameworkIndex:
    """The index of `framework`, rebuilt when its fingerprint changed since it was built."""
    fingerprint = _fingerprint(session, framework.id)
    with _lock:
        index = _cache.get(framework.id)
        if index is not None and index.fingerprint == fingerprint:
            _cache.move_to_end(framework.id)
            return index
        # Built under the lock: two worker threads building the same index would only waste a core.
        index = _build(session, framework, fingerprint)
        _cache[framework.id] = index
        _cache.move_to_end(framework.id)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return index


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# ---------------------------------------------------------------- lookups

def resolve_framework(session: Session, reference: str) -> Framework:
    """A framework by id or by code; an unknown or ambiguous one is invalid input (422), not a 404."""
    reference = (reference or "").strip()
    framework = None
    try:
        framework = session.get(Framework, uuid.UUID(reference))
    except ValueError:
        pass
    if framework is not None:
        return framework
    found = session.scalars(sa.select(Framework).where(Framework.code == reference).order_by(Framework.id)).all()
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(str(f.id) for f in found)
        raise InvalidInput(f"framework code {reference!r} names {len(found)} frameworks; give one id",
                           errors={"framework": [f"ambiguous code; one of: {ids}"]})
    raise InvalidInput(f"framework {reference!r} not found", errors={"framework": ["no framework with this id or code"]})


def _source(session: Session, standard_id: uuid.UUID):
    """The public head of the source standard with its framework; unknown or unpublished is a 404."""
    sv, st = StandardVersion, Standard
    row = session.execute(
        sa.select(st.id.label("standard_id"), sv.id.label("version_id"), st.code, sv.version, sv.title,
                  sv.alt_labels, sv.description, sv.level, sv.eqf_level, sv.isco08, sv.uri, sv.status, Framework)
        .join(st, sv.standard_id == st.id).join(Framework, st.framework_id == Framework.id)
        .where(st.id == standard_id, sv.is_public_head)
    ).first()
    if row is None or row.status == "draft":
        raise NotFound(f"standard {standard_id} not found or not published")
    skills = [
        (" / ".join(_strings(title)), bool(essential)) for title, essential in session.execute(
            sa.select(Skill.title, StandardSkill.essential).join(Skill, StandardSkill.skill_id == Skill.id)
            .where(StandardSkill.standard_version_id == row.version_id).order_by(StandardSkill.position))
    ]
    return _entry(row, skills), row.Framework


# ---------------------------------------------------------------- ranking

def _weights(source: Entry, index: FrameworkIndex, base_weights: dict) -> dict:
    """The components that can say something for this source and target framework, weights summing to 1."""
    source_native, source_crosswalked = bool(source.isco08), bool(source.isco_via)
    applicable = {
        "text": True,
        "isco": source_native and index.any_native_isco,
        "crosswalk": (source_native and index.any_crosswalked_isco)
                     or (source_crosswalked and (index.any_native_isco or index.any_crosswalked_isco)),
        "level": bool(source.skill_level) and index.any_skill_level,
    }
    applicable = {name: on and base_weights.get(name, 0) > 0 for name, on in applicable.items()}
    total = sum(base_weights[name] for name, on in applicable.items() if on)
    return {name: round(base_weights[name] / total, 6) for name, on in applicable.items() if on}


def _structure(source: Entry, target: Entry, weights: dict, explain: bool = False):
    """Component scores other than text; with `explain`, also what each was computed from."""
    scores, details = {}, {}
    if "isco" in weights:
        scores["isco"], details["isco"] = 0.0, None
        if source.isco08 and target.isco08:
            scores["isco"] = _group_score(source.isco08, target.isco08)
            details["isco"] = {"source": source.isco08, "target": target.isco08,
                               "shared_digits": min(shared_digits(source.isco08, target.isco08), 4)}
    if "crosswalk" in weights:
        best, detail = 0.0, None
        for s_code, (s_conf, s_how, s_native) in _isco_sets(source).items():
            for t_code, (t_conf, t_how, t_native) in _isco_sets(target).items():
                if s_native and t_native:
                    continue  # that is the isco component's evidence
                value = s_conf * t_conf * _group_score(s_code, t_code)
                if value > best:
                    best = value
                    if explain:
                        detail = {"source_isco08": s_code, "target_isco08": t_code,
                                  "shared_digits": min(shared_digits(s_code, t_code), 4),
                                  "source_via": s_how, "target_via": t_how, "confidence": s_conf * t_conf}
        scores["crosswalk"], details["crosswalk"] = best, detail
    if "level" in weights:
        if target.skill_level:
            scores["level"], distance = _level_score(source.skill_level, target.skill_level)
            details["level"] = {"source": source.skill_level_source, "target": target.skill_level_source,
                                "source_skill_levels": list(source.skill_level),
                                "target_skill_levels": list(target.skill_level), "distance": distance}
        else:
            scores["level"] = UNKNOWN_LEVEL
            details["level"] = {"source": source.skill_level_source, "target": None,
                                "note": "target level unknown: scored neutral"}
    return scores, details


@dataclass
class Ranking:
    """Every candidate of the target framework scored for one source, best first."""

    source: Entry
    source_framework: Framework
    framework: Framework
    index: FrameworkIndex
    weights: dict
    query: object = None  # suggestion_index.TextQuery
    candidates: list = field(default_factory=list)  # positions in index.entries, ranked
    scores: list = field(default_factory=list)
    text: list = field(default_factory=list)

    def codes(self) -> list:
        return [self.index.entries[position].code for position in self.candidates]


def rank(session: Session, standard_id: uuid.UUID, framework_reference: str, base_weights: dict | None = None) -> Ranking:
    """Score every published standard of the target framework against the source (no explanations)."""
    import numpy as np

    source, source_framework = _source(session, standard_id)
    framework = resolve_framework(session, framework_reference)
    index = framework_index(session, framework)
    soc_map = SocMap(crosswalks.soc_isco_pairs(session)) if SOC_CODE.fullmatch(source.code) and not source.isco08 \
        else SocMap([])
    _add_structure(source, source_framework.code, soc_map)
    weights = _weights(source, index, base_weights or BASE_WEIGHTS)
    ranking = Ranking(source, source_framework, framework, index, weights)
    candidates = [i for i, e in enumerate(index.entries) if e.standard_id != source.standard_id]
    if not candidates:
        return ranking
    from app.services.suggestion_index import TextDocument

    ranking.query = index.text.query(TextDocument(source.names, source.description, [t for t, _ in source.skills]))
    text = ranking.query.score[candidates]
    scores = weights.get("text", 0.0) * text
    structure = [_structure(source, index.entries[i], weights)[0] for i in candidates]
    for name in ("isco", "crosswalk", "level"):
        if name in weights:
            scores = scores + weights[name] * np.array([s[name] for s in structure])
    codes = np.array([index.entries[i].code for i in candidates])
    order = np.lexsort((codes, -scores))  # best first; equal scores in code order, so pages are stable
    ranking.candidates = [candidates[k] for k in order]
    ranking.scores = scores[order].tolist()
    ranking.text = text[order].tolist()
    return ranking


def suggest(session: Session, standard_id: uuid.UUID, framework_reference: str, page: int = 1,
            per_page: int = 20) -> dict:
    """Rank the target framework's published standards as equivalence candidates, explaining each on the page."""
    ranking = rank(session, standard_id, framework_reference)
    index, source, weights = ranking.index, ranking.source, ranking.weights
    first = (page - 1) * per_page
    numbers = range(first, min(first + per_page, len(ranking.candidates)))
    targets = [index.entries[ranking.candidates[n]] for n in numbers]
    text_evidence = index.text.explain(ranking.query, source.names, source.skills,
                                       [(ranking.candidates[n], t.names, t.skills) for n, t in zip(numbers, targets)]) \
        if targets else []
    items = []
    for rank_number, target, text in zip(numbers, targets, text_evidence):
        components, details = _structure(source, target, weights, explain=True)
        components = {"text": ranking.text[rank_number], **components}
        items.append({
            "status": "suggestion", "rank": rank_number + 1,
            **_standard_ref(target, ranking.framework),
            "score": round(ranking.scores[rank_number], 4),
            "explanation": {
                "components": {name: round(value, 4) for name, value in components.items()},
                "weights": weights,
                "text": text,
                **details,
            },
        })
    return {
        "status": "suggestion", "note": NOTE,
        "source": _standard_ref(source, ranking.source_framework),
        "framework": _framework_ref(ranking.framework),
        "weights": weights,
        "items": items, "total": len(ranking.candidates), "page": page, "per_page": per_page,
    }


def _framework_ref(framework: Framework) -> dict:
    return {"id": framework.id, "code": framework.code, "title": framework.title, "country": framework.country,
            "version": framework.version}


def _standard_ref(entry: Entry, framework: Framework) -> dict:
    return {"id": entry.standard_id, "version_id": entry.version_id, "code": entry.code, "version": entry.version,
            "title": entry.title, "isco08": entry.isco08, "level": entry.level, "uri": entry.uri,
            "framework": _framework_ref(framework)}
