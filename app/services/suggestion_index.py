"""Text similarity of one source standard to every published standard of a target framework.

Two TF-IDF spaces (scikit-learn), both fitted on the target framework's standards only:
- words: one document per standard from its names, description and skill titles, unigrams and
  bigrams within each line, English stop words dropped, plurals folded ("electricians" is
  "electrician"), so the terms that match can be shown;
- characters: n-grams of 3 to 5 inside words over the names alone, which catch what word tokens
  miss ("electrotechnician", "welder"/"welding").
Their cosines are blended and saturated into a 0..1 text score (see TEXT_SCALE).

This module is imported only when a suggestion index is first built: scikit-learn, SciPy and
NumPy add about half a second to an import, which a web worker should not pay at start-up.
"""
import functools
import re
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from app.services.text import fold

# Share of the names' character similarity in the blend; the word document carries the rest.
NAME_SHARE = 0.1
# A blended cosine of 0.15 maps to a text score of 0.63, 0.30 to 0.86: this space's cosines are small
# (the best ESCO -> O*NET candidate has a median of 0.15), and the saturation keeps them readable as 0..1.
TEXT_SCALE = 0.15

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


@dataclass
class TextDocument:
    """What text similarity reads of a standard: names (first title first), description, skill titles."""

    names: list
    description: str
    skills: list  # skill titles, in skill-map order


def _normalise(token: str) -> str:
    """Fold English plurals so that singular and plural forms are one term (no stemming beyond that)."""
    if len(token) > 4 and token.isascii():
        if token.endswith("ies"):
            return token[:-3] + "y"
        if token.endswith("sses"):
            return token[:-2]
        if token.endswith("s") and not token.endswith(("ss", "us", "is")):
            return token[:-1]
    return token


def _fold(text: str) -> str:
    # Nearly all text is ASCII, where lower() is fold() at C speed (fold() loops over characters).
    return text.lower() if text.isascii() else fold(text)


# Skill titles repeat across a framework's standards (an ESCO skill is in nine skill maps on average,
# "Microsoft Excel" in hundreds of O*NET ones): analysing each distinct line once halved the build.
@functools.lru_cache(maxsize=1 << 17)
def _line_terms(line: str) -> tuple:
    tokens = [_normalise(t) for t in _TOKEN.findall(_fold(line)) if t not in _STOP_WORDS and len(t) > 1]
    # Bigrams stay inside one line: a skill title's last word and the next title's first are no phrase.
    return tuple(tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])])


def word_terms(lines) -> list:
    """The analyzer of the word space: terms of every line of a document."""
    terms = []
    for line in lines:
        terms.extend(_line_terms(line))
    return terms


def _word_lines(document: TextDocument) -> list:
    return [*document.names, document.description, *document.skills]


def _names_text(document: TextDocument) -> str:
    return "\n".join(_fold(name) for name in document.names)


def text_score(blended: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-blended / TEXT_SCALE)


class TextIndex:
    """TF-IDF matrices of a target framework's standards, in the order they were given."""

    def __init__(self, documents: list[TextDocument]):
        self.words = TfidfVectorizer(analyzer=word_terms, sublinear_tf=True, dtype=np.float32)
        self.word_matrix = self.words.fit_transform([_word_lines(d) for d in documents]).tocsr()
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32,
                                     lowercase=False)
        self.char_matrix = self.chars.fit_transform([_names_text(d) for d in documents]).tocsr()
        self.terms = self.words.get_feature_names_out()
        # Transposed once: every query multiplies by the transpose.
        self._word_t = self.word_matrix.T.tocsr()
        self._char_t = self.char_matrix.T.tocsr()

    def __len__(self):
        return self.word_matrix.shape[0]

    def query(self, source: TextDocument) -> "TextQuery":
        return TextQuery(self, self.words.transform([_word_lines(source)]),
                         self.chars.transform([_names_text(source)]))

    def matched_terms(self, query: "TextQuery", position: int, limit: int = 8) -> list:
        """The terms behind the word cosine with standard `position`, largest contribution first."""
        row = self.word_matrix[position]
        contributions = row.multiply(query.words).tocoo()
        order = np.argsort(-contributions.data)[:limit]
        return [{"term": str(self.terms[contributions.col[i]]), "contribution": round(float(contributions.data[i]), 4)}
                for i in order if contributions.data[i] > 0]

    def explain(self, query: "TextQuery", source_names: list, source_skills: list, targets: list) -> list:
        """Text evidence for each of `targets` ((position, names, skills) tuples), in one batch per space.

        Skills are (title, essential) lists. Each result has the two cosines, the terms behind the word
        cosine, the closest pair of names and, for each source skill, its closest target skill.
        """
        source_name_vectors = self.chars.transform([_fold(n) for n in source_names]) if source_names else None
        source_skill_vectors = self.words.transform([[t] for t, _ in source_skills]) if source_skills else None
        all_names = [_fold(n) for _, names, _ in targets for n in names]
        all_skills = [[t] for _, _, skills in targets for t, _ in skills]
        # One transform for the whole page: scikit-learn's per-call checks cost more than 20 small calls.
        name_vectors = self.chars.transform(all_names) if all_names else None
        skill_vectors = self.words.transform(all_skills) if all_skills else None
        results, name_start, skill_start = [], 0, 0
        for position, names, skills in targets:
            label = None
            if source_name_vectors is not None and names:
                similarity = (source_name_vectors @ name_vectors[name_start:name_start + len(names)].T).toarray()
                i, j = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
                label = {"source": source_names[i], "target": names[j], "similarity": round(float(similarity[i, j]), 4)}
            pairs = []
            if source_skill_vectors is not None and skills:
                similarity = (source_skill_vectors @ skill_vectors[skill_start:skill_start + len(skills)].T).toarray()
                pairs = _best_pairs(similarity, source_skills, skills)
            name_start += len(names)
            skill_start += len(skills)
            results.append({
                "document_similarity": round(float(query.document_similarity[position]), 4),
                "name_similarity": round(float(query.name_similarity[position]), 4),
                "matched_terms": self.matched_terms(query, position),
                "best_label_match": label,
                "shared_skills": pairs,
            })
        return results


def _best_pairs(similarity, source_skills, target_skills, limit=5, threshold=0.3) -> list:
    """For each source skill its most similar target skill; the `limit` closest pairs above `threshold`."""
    best = similarity.argmax(axis=1)
    scores = similarity[np.arange(len(source_skills)), best]
    pairs = []
    for i in np.argsort(-scores, kind="stable")[:limit]:
        if scores[i] < threshold:
            break
        target_title, target_essential = target_skills[best[i]]
        pairs.append({"source": source_skills[i][0], "target": target_title,
                      "similarity": round(float(min(scores[i], 1.0)), 4),
                      "source_essential": source_skills[i][1], "target_essential": target_essential})
    return pairs


class TextQuery:
    """One source standard's vectors in a TextIndex and its cosines with every target standard."""

    def __init__(self, index: TextIndex, words, chars):
        self.words = words
        self.document_similarity = (words @ index._word_t).toarray().ravel()
        self.name_similarity = (chars @ index._char_t).toarray().ravel()
        blended = (self.document_similarity + NAME_SHARE * self.name_similarity) / (1.0 + NAME_SHARE)
        self.score = text_score(blended)
