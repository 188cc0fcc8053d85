"""Full-text index of standard versions: FTS5 on SQLite, tsvector with GIN on PostgreSQL.

The index table is created by the migrations (it is dialect-specific, so it is not a model) and
holds one row per standard version: title, labels, description and skill titles, each weighted.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.services.text import fold, words

SEARCH_TABLE = "standard_search"

# Field weights: a title hit outranks a label hit, which outranks description and skill hits.
SQLITE_BM25 = "bm25(standard_search, 0.0, 10.0, 5.0, 2.0, 1.0)"


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def version_key(session: Session, version_id):
    # FTS5 stores the id as text; SQLAlchemy's Uuid type stores 32 hex digits on SQLite.
    return version_id.hex if _dialect(session) == "sqlite" else version_id


def replace_documents(session: Session, documents: list[dict]) -> None:
    """(Re)index versions: each document has version_id, title, labels, description, skills."""
    if not documents:
        return
    remove_documents_by_keys(session, [version_key(session, d["version_id"]) for d in documents])
    insert_documents(session, documents)


def insert_documents(session: Session, documents: list[dict]) -> None:
    """Index versions that have no index row yet."""
    if not documents:
        return
    dialect = _dialect(session)
    keys = [version_key(session, d["version_id"]) for d in documents]
    rows = [
        {
            "k": key, "t": _fold(d["title"]), "l": _fold(d["labels"]),
            "d": _fold(d["description"]), "s": _fold(d["skills"]),
        }
        for key, d in zip(keys, documents)
    ]
    if dialect == "sqlite":
        statement = sa.text(
            "INSERT INTO standard_search (standard_version_id, title, labels, description, skills) "
            "VALUES (:k, :t, :l, :d, :s)"
        )
    else:
        statement = sa.text(
            "INSERT INTO standard_search (standard_version_id, document) VALUES (:k, "
            "setweight(to_tsvector('simple', :t), 'A') || setweight(to_tsvector('simple', :l), 'B') || "
            "setweight(to_tsvector('simple', :d), 'C') || setweight(to_tsvector('simple', :s), 'D'))"
        ).bindparams(sa.bindparam("k", type_=sa.Uuid))
    session.execute(statement, rows)


def _fold(text: str) -> str:
    # Bulk imports index millions of characters, nearly all ASCII: lower() gives the same result as
    # fold() there (nothing to decompose, no accents) at C speed instead of a per-character loop.
    return text.lower() if text.isascii() else fold(text)


def remove_documents_by_keys(session: Session, keys: list) -> None:
    if not keys:
        return
    if _dialect(session) == "sqlite":
        statement = sa.text("DELETE FROM standard_search WHERE standard_version_id IN :keys").bindparams(
            sa.bindparam("keys", expanding=True)
        )
    else:
        statement = sa.text("DELETE FROM standard_search WHERE standard_version_id IN :keys").bindparams(
            sa.bindparam("keys", expanding=True, type_=sa.Uuid)
        )
    for start in range(0, len(keys), 500):
        session.execute(statement, {"keys": keys[start:start + 500]})


def query_terms(q: str) -> list[str]:
    return [w for w in words(q) if len(w) >= 1][:12]


def match_clause(session: Session, version_id_column, terms: list[str]):
    """Return (where clause, rank expression where higher is better) for a search on `terms`."""
    if _dialect(session) == "sqlite":
        fts_query = " ".join(f'"{t}"*' for t in terms)
        matches = sa.text(
            "SELECT standard_version_id AS k, -" + SQLITE_BM25 + " AS rank FROM standard_search "
            "WHERE standard_search MATCH :fts"
        ).bindparams(fts=fts_query).columns(sa.column("k", sa.String), sa.column("rank", sa.Float)).subquery("m")
        # Plain text equality: the FTS5 column holds the same 32 hex digits as the Uuid column.
        return matches, matches.c.k == sa.type_coerce(version_id_column, sa.String), matches.c.rank
    ts_query = " & ".join(f"{t}:*" for t in terms)
    matches = sa.text(
        "SELECT standard_version_id AS k, ts_rank(document, q) AS rank "
        "FROM standard_search, to_tsquery('simple', :tsq) AS q WHERE document @@ q"
    ).bindparams(tsq=ts_query).columns(sa.column("k", sa.Uuid), sa.column("rank", sa.Float)).subquery("m")
    return matches, matches.c.k == version_id_column, matches.c.rank
