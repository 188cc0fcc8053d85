"""Full-text index of standard versions: FTS5 on SQLite, tsvector with GIN on PostgreSQL.

The index table is created by the migrations (it is dialect-specific, so it is not a model) and
holds one row per standard version, keyed by the version's integer `search_id` (the FTS5 rowid:
joining on it reads no stored text, which made broad searches 2.6x faster than a text key).
Title, labels, description and skill titles are weighted in that order; on top of that, a title
equal to the query, then a title starting with it, ranks first (see `title_tier`).
"""
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.services.text import fold, words

# Field weights: a title hit outranks a label hit, which outranks description and skill hits.
SQLITE_BM25 = "bm25(standard_search, 10.0, 5.0, 2.0, 1.0)"
MAX_TERMS = 12


def new_search_id() -> int:
    """A random positive 63-bit key: unique without a sequence, on both engines."""
    return secrets.randbits(63) or 1


def title_key(title_map) -> str | None:
    """The folded words of a standard's first title, for exact and starts-with ranking."""
    if not title_map:
        return None
    first = next(iter(title_map.values()), "")
    return " ".join(words(first))[:500] or None


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def replace_documents(session: Session, documents: list[dict]) -> None:
    """(Re)index versions: each document has search_id, title, labels, description, skills."""
    if not documents:
        return
    remove_documents(session, [d["search_id"] for d in documents])
    insert_documents(session, documents)


def insert_documents(session: Session, documents: list[dict]) -> None:
    """Index versions that have no index row yet."""
    if not documents:
        return
    rows = [
        {"k": d["search_id"], "t": _fold(d["title"]), "l": _fold(d["labels"]),
         "d": _fold(d["description"]), "s": _fold(d["skills"])}
        for d in documents
    ]
    if _dialect(session) == "sqlite":
        statement = sa.text(
            "INSERT INTO standard_search (rowid, title, labels, description, skills) VALUES (:k, :t, :l, :d, :s)")
    else:
        statement = sa.text(
            "INSERT INTO standard_search (search_id, document) VALUES (:k, "
            "setweight(to_tsvector('simple', :t), 'A') || setweight(to_tsvector('simple', :l), 'B') || "
            "setweight(to_tsvector('simple', :d), 'C') || setweight(to_tsvector('simple', :s), 'D'))")
    session.execute(statement, rows)


def _fold(text: str) -> str:
    # Bulk imports index millions of characters, nearly all ASCII: lower() gives the same result as
    # fold() there (nothing to decompose, no accents) at C speed instead of a per-character loop.
    return text.lower() if text.isascii() else fold(text)


def remove_documents(session: Session, search_ids: list) -> None:
    if not search_ids:
        return
    key = "rowid" if _dialect(session) == "sqlite" else "search_id"
    statement = sa.text(f"DELETE FROM standard_search WHERE {key} IN :keys").bindparams(
        sa.bindparam("keys", expanding=True))
    for start in range(0, len(search_ids), 500):
        session.execute(statement, {"keys": search_ids[start:start + 500]})


def query_terms(q: str) -> list[str]:
    return words(q)[:MAX_TERMS]


def match_params(session: Session, terms: list[str]) -> dict:
    """Bound parameters for match_subquery and title_tier.

    Every term must match (as a prefix) somewhere in the document. Terms are \\w+ runs, quoted, so
    no query syntax reaches the engine.
    """
    phrase = " ".join(terms)
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {"phrase": phrase, "phrase_plural": phrase + "s", "phrase_prefix": escaped + "%"}
    if _dialect(session) == "sqlite":
        params["fts"] = " ".join(f'"{t}"*' for t in terms)
    else:
        params["tsq"] = " & ".join(f"{t}:*" for t in terms)
    return params


def match_subquery(dialect: str, search_id_column):
    """(matches, join condition, rank where higher is better) for the :fts or :tsq parameter."""
    if dialect == "sqlite":
        matches = sa.text(
            f"SELECT rowid AS k, -{SQLITE_BM25} AS rank FROM standard_search WHERE standard_search MATCH :fts"
        ).columns(sa.column("k", sa.BigInteger), sa.column("rank", sa.Float))
        # Materialised, or SQLite's planner runs the full-text query once per candidate version
        # (it pushes "rowid = ?" into the MATCH): 300 ms instead of 3 for a common word.
        matches = matches.cte("m").prefix_with("MATERIALIZED")
    else:
        matches = sa.text(
            "SELECT search_id AS k, ts_rank(document, q) AS rank "
            "FROM standard_search, to_tsquery('simple', :tsq) AS q WHERE document @@ q"
        ).columns(sa.column("k", sa.BigInteger), sa.column("rank", sa.Float)).subquery("m")
    return matches, matches.c.k == search_id_column, matches.c.rank


def title_tier(title_key_column):
    """2 when the title is the query (or its plural), 1 when it starts with it, else 0."""
    return sa.case(
        (title_key_column.in_([sa.bindparam("phrase"), sa.bindparam("phrase_plural")]), 2),
        (title_key_column.like(sa.bindparam("phrase_prefix"), escape="\\"), 1),
        else_=0,
    )
