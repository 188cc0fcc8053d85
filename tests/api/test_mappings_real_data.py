"""Coverage on real ESCO data: domestic (7411.1.1.1) and industrial (7411.1.1.2) electricians."""
import pytest
import sqlalchemy as sa

from app.models import Framework, Standard
from tests.api.test_import_commands import import_esco


def esco_standard_id(session, code):
    return str(session.scalar(sa.select(Standard.id).join(Framework, Standard.framework_id == Framework.id)
                              .where(Framework.code == "ESCO", Standard.code == code)))


@pytest.mark.slow
def test_domestic_and_industrial_electricians_share_15_essential_skills(api, app, client, session, shared_data):
    exit_code, report = import_esco(app, shared_data)
    assert exit_code == 0, report
    domestic, industrial = esco_standard_id(session, "7411.1.1.1"), esco_standard_id(session, "7411.1.1.2")
    authority = api.organization("recognition_authority", "PH")
    response = client.post("/api/v1/mappings", headers=authority.headers, json={
        "source_standard_id": domestic, "target_standard_id": industrial, "predicate": "closeMatch"})
    assert response.status_code == 201, response.get_json()
    mapping = response.get_json()
    # No skill mappings are needed: both standards list the same ESCO skill units.
    forward, reverse = mapping["coverage"], mapping["reverse_coverage"]
    assert all(c["via"] == "same_concept" for c in forward["covered"] + reverse["covered"])
    assert (forward["essential_covered"], forward["essential_total"]) == (15, 17)
    assert (reverse["essential_covered"], reverse["essential_total"]) == (15, 19)
    assert len([g for g in forward["gaps"] if g["essential"]]) == 2
    assert len([g for g in reverse["gaps"] if g["essential"]]) == 4  # each has essentials the other lacks
    assert forward["essential_ratio"] != reverse["essential_ratio"]  # A to B is not B to A
    client.post(f"/api/v1/mappings/{mapping['id']}/review", json={"decision": "validated"}, headers=authority.headers)
    seen_from_industrial = client.get(f"/api/v1/standards/{industrial}/equivalents").get_json()["items"][0]
    assert seen_from_industrial["standard"]["code"] == "7411.1.1.1"
    assert seen_from_industrial["coverage"]["essential_covered"] == 15
    assert seen_from_industrial["coverage"]["essential_total"] == 19
