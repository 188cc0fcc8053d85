"""The bulk import service on both engines: create, re-import is a no-op, changes make new versions."""
import pytest
import sqlalchemy as sa

from app.errors import ImportRejected
from app.importers.records import FrameworkRecord, ImportBundle, Rejection, SkillRecord, StandardRecord
from app.models import Skill, Standard, StandardSkill, StandardVersion
from app.services.imports import apply_bundle
from app.services.publishers import resolve_publisher


def bundle(title="Electrician", skills=(("S1", True), ("S2", False)), extra_rejected=()):
    return ImportBundle(
        framework=FrameworkRecord(code="TEST", title="Test framework", country="PH", version="1"),
        skills=[SkillRecord(code="S1", title={"en": "Wiring"}), SkillRecord(code="S2", title={"en": "Safety"}),
                SkillRecord(code="S3", title={"en": "Motors"})],
        standards=[StandardRecord(code="E1", title={"en": title}, isco08="7411", skills=list(skills)),
                   StandardRecord(code="E2", title={"en": "Plumber"}, isco08="7126", skills=[("S3", True)])],
        source="test.csv", rejected=list(extra_rejected),
    )


def counts(session):
    return tuple(session.scalar(sa.select(sa.func.count()).select_from(m)) for m in
                 (Standard, StandardVersion, Skill, StandardSkill))


def test_import_then_reimport_is_a_no_op(session):
    org = resolve_publisher(session, None, "Test publisher", "PH")
    first = apply_bundle(session, org.id, bundle())
    assert first.standards.created == 2 and first.skills.created == 3 and first.links == 3
    before = counts(session)
    again = apply_bundle(session, org.id, bundle())
    assert again.standards.as_dict() == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.skills.as_dict() == {"created": 0, "updated": 0, "unchanged": 3}
    assert counts(session) == before


def test_changed_published_standard_gets_a_new_version(session):
    org = resolve_publisher(session, None, "Test publisher", "PH")
    apply_bundle(session, org.id, bundle())
    summary = apply_bundle(session, org.id, bundle(title="Electrician (revised)"))
    assert summary.standards.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    versions = session.scalars(sa.select(StandardVersion).join(Standard).where(Standard.code == "E1")
                               .order_by(StandardVersion.version)).all()
    assert [(v.version, v.is_latest, v.is_public_head) for v in versions] == [(1, False, False), (2, True, True)]
    assert versions[0].title == {"en": "Electrician"}


def test_rejected_rows_refuse_the_whole_import(session):
    org = resolve_publisher(session, None, "Test publisher", "PH")
    bad = bundle(skills=(("S1", True), ("NOPE", True)))
    before = counts(session)
    with pytest.raises(ImportRejected) as caught:
        apply_bundle(session, org.id, bad)
    assert "unknown skill" in caught.value.reason
    assert counts(session) == before


def test_reader_rejections_are_reported_with_file_and_row(session):
    org = resolve_publisher(session, None, "Test publisher", "PH")
    with pytest.raises(ImportRejected) as caught:
        apply_bundle(session, org.id, bundle(extra_rejected=[Rejection("test.csv", 7, "X", "no title")]))
    assert (caught.value.file, caught.value.row) == ("test.csv", 7)
    summary = apply_bundle(session, org.id, bundle(extra_rejected=[Rejection("test.csv", 7, "X", "no title")]),
                           allow_rejects=True)
    assert summary.standards.created == 2 and len(summary.rejected) == 1


def test_imported_standards_are_searchable(session):
    from app.services.standards import search_standards

    org = resolve_publisher(session, None, "Test publisher", "PH")
    apply_bundle(session, org.id, bundle())
    rows, total = search_standards(session, None, {"q": "electr"}, 1, 20)
    assert total == 1 and rows[0]["code"] == "E1"
    rows, total = search_standards(session, None, {"q": "motors"}, 1, 20)  # a skill title
    assert [r["code"] for r in rows] == ["E2"]
    apply_bundle(session, org.id, bundle(title="Electrician (revised)"))
    rows, total = search_standards(session, None, {"q": "revised"}, 1, 20)
    assert total == 1 and rows[0]["version"] == 2
    rows, total = search_standards(session, None, {"q": "electrician"}, 1, 20)
    assert total == 1  # the superseded version is not a second hit
