"""JSON API: bearer tokens (hashed at rest), role scope, idempotent ingestion, clear errors."""

from __future__ import annotations

import pytest

from qa.extensions import db
from qa.models import ApiToken, Interaction
from qa.services.tokens import create_token
from tests.qa.test_access import submitted_review


@pytest.fixture
def tokens(world):
    out = {}
    for key in ("admin", "lead_red", "agent_red", "agent_red2", "reviewer"):
        _, raw = create_token(world[key], "test", None)
        out[key] = {"Authorization": f"Bearer {raw}"}
    db.session.commit()
    return out


def chat(agent_email: str, external_id: str = "API-1") -> dict:
    return {
        "external_id": external_id,
        "channel": "chat",
        "agent_email": agent_email,
        "started_at": "2026-11-16T09:00:00Z",
        "csat": 4,
        "turns": [
            {"speaker": "customer", "text": "My card 4111 1111 1111 1111 was charged twice"},
            {"speaker": "agent", "text": "Sorry about that, I refunded it."},
        ],
    }


def test_tokens_are_hashed_and_required(app, client, world, tokens):
    """Only the SHA-256 of a token is stored; no or a wrong token gets 401 JSON, cookies don't count."""
    raw = tokens["admin"]["Authorization"][7:]
    assert db.session.query(ApiToken).filter(ApiToken.token_hash == raw).count() == 0
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["error"] == "Unauthorized"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer cl_wrong"}).status_code == 401
    client.login(world["admin"].email)  # a browser session is not an API credential
    assert client.get("/api/v1/interactions").status_code == 401
    assert client.get("/api/v1/me", headers=tokens["admin"]).json["role"] == "admin"


def test_revoked_token_is_refused(client, world, tokens):
    """A revoked token stops working at once."""
    from qa.services.tokens import revoke

    for token in db.session.query(ApiToken).filter_by(user_id=world["lead_red"].id):
        revoke(token, None)
    db.session.commit()
    assert client.get("/api/v1/me", headers=tokens["lead_red"]).status_code == 401


def test_agent_token_sees_only_own_interactions(client, world, tokens):
    """The API applies the same scope as the web pages, including guessed ids."""
    listing = client.get("/api/v1/interactions", headers=tokens["agent_red"]).json
    assert [i["id"] for i in listing["items"]] == [world["i_agent_red"].id]
    assert (
        client.get(
            f"/api/v1/interactions/{world['i_agent_red2'].id}", headers=tokens["agent_red"]
        ).status_code
        == 404
    )
    lead = client.get("/api/v1/interactions", headers=tokens["lead_red"]).json
    assert {i["id"] for i in lead["items"]} == {world["i_agent_red"].id, world["i_agent_red2"].id}


def test_batch_ingest_is_idempotent_and_redacted(client, world, tokens):
    """A batch lands once; re-sending it creates nothing; card numbers never reach storage."""
    body = {
        "interactions": [chat(world["agent_red"].email, f"API-{n}") for n in range(3)]
        + [{"channel": "fax"}]
    }
    first = client.post("/api/v1/interactions", json=body, headers=tokens["lead_red"])
    assert first.status_code == 201
    assert len(first.json["created"]) == 3 and first.json["errors"][0]["index"] == 3
    again = client.post("/api/v1/interactions", json=body, headers=tokens["lead_red"])
    assert again.json["created"] == [] and again.json["duplicates"] == 3
    stored = db.session.get(Interaction, first.json["created"][0])
    assert "4111" not in stored.transcript.segments[0].text


def test_lead_cannot_ingest_for_another_team_and_agents_cannot_ingest(client, world, tokens):
    """Leads send interactions only for their teams' agents; agents and reviewers not at all."""
    response = client.post(
        "/api/v1/interactions", json=chat(world["agent_blue"].email), headers=tokens["lead_red"]
    )
    assert (
        response.status_code == 422
        and "not in a team you lead" in response.json["errors"][0]["reason"]
    )
    for key in ("agent_red", "reviewer"):
        assert (
            client.post(
                "/api/v1/interactions", json=chat(world["agent_red"].email), headers=tokens[key]
            ).status_code
            == 403
        )


def test_bad_bodies_get_reasons(client, world, tokens):
    """Non-JSON bodies, bad filters and wrong shapes get a 4xx with a reason."""
    response = client.post("/api/v1/interactions", data="nope", headers=tokens["admin"])
    assert response.status_code == 400 and "JSON" in response.json["reason"]
    assert (
        client.get("/api/v1/interactions?status=weird", headers=tokens["admin"]).status_code == 400
    )
    assert (
        client.get("/api/v1/interactions?per_page=5000", headers=tokens["admin"]).status_code == 400
    )
    response = client.post(
        "/api/v1/interactions", json={"interactions": "x"}, headers=tokens["admin"]
    )
    assert response.status_code == 400


def test_reviews_follow_review_visibility(client, world, tokens):
    """An agent reads their own submitted review by API, a colleague gets 404."""
    review = submitted_review(world)
    mine = client.get(f"/api/v1/reviews/{review.id}", headers=tokens["agent_red"])
    assert mine.status_code == 200 and mine.json["score"] == 100.0
    assert (
        client.get(f"/api/v1/reviews/{review.id}", headers=tokens["agent_red2"]).status_code == 404
    )
    assert client.get("/api/v1/reviews", headers=tokens["agent_red2"]).json["items"] == []


def test_recording_upload_rejects_non_audio(client, world, tokens):
    """The recordings endpoint checks content: a text file named .wav is refused with 422."""
    import io

    response = client.c.post(
        "/api/v1/recordings",
        headers=tokens["lead_red"],
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(b"hello" * 100), "x.wav"),
            "external_id": "R-1",
            "agent_email": world["agent_red"].email,
            "started_at": "2026-11-16T10:00:00",
        },
    )
    assert response.status_code == 422 and "audio" in response.json["reason"]
    assert db.session.query(Interaction).filter_by(external_id="R-1").count() == 0


def test_openapi_document_is_served(client):
    """The OpenAPI document is public and lists the endpoints."""
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/interactions" in spec["paths"]


def test_every_openapi_operation_has_a_declared_tag(client):
    """Each operation of the served document names at least one tag, every tag it names is in
    the top-level list, and every declared tag has a description and is used."""
    spec = client.get("/api/v1/openapi.json").json
    declared = {t["name"]: t.get("description", "") for t in spec["tags"]}
    assert len(declared) == len(spec["tags"])  # no tag declared twice
    assert all(d.strip() for d in declared.values()), declared
    methods = {"get", "post", "put", "patch", "delete", "head", "options"}
    used = set()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in methods
    ]
    assert len(operations) >= 7
    for path, method, op in operations:
        assert op.get("tags"), f"{method.upper()} {path} has no tag"
        assert set(op["tags"]) <= set(declared), f"{method.upper()} {path}: {op['tags']}"
        used.update(op["tags"])
    assert used == set(declared)
    assert spec["paths"]["/recordings"]["post"]["tags"] == ["Recordings"]


def test_nul_characters_are_a_bad_request(client, world, tokens):
    """NUL in a query, a JSON body or a form is a 400 (PostgreSQL text cannot hold one), not a 500."""
    headers = tokens["admin"]
    assert client.get("/api/v1/interactions?external_id=%00", headers=headers).status_code == 400
    body = chat(world["agent_red"].email, external_id="A\x00B")
    response = client.post("/api/v1/interactions", json=body, headers=headers)
    assert response.status_code == 400 and "NUL" in response.json["reason"]
    assert db.session.query(Interaction).filter(Interaction.source == "api").count() == 0
    response = client.post("/login", {"email": "x\x00@example.com", "password": "x"}, csrf=False)
    assert response.status_code == 400


def test_json_nested_too_deeply_is_a_bad_request(client, world, tokens):
    """A JSON body nested far deeper than any interaction is a 400 with the reason, not a 500
    from the parser's or the NUL check's recursion limit; nothing is stored."""
    headers = {**tokens["admin"], "Content-Type": "application/json"}
    for depth in (5_000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/api/v1/interactions", data=body, headers=headers)
        assert response.status_code == 400, depth
        assert "nested" in response.json["reason"]
    assert db.session.query(Interaction).filter(Interaction.source == "api").count() == 0


@pytest.mark.parametrize(
    "query", ["per_page=abc", "page=abc", "per_page=1.5", "page=", "per_page=0"]
)
def test_page_arguments_that_are_not_whole_numbers_are_a_bad_request(client, world, tokens, query):
    """`per_page=abc` (or page) answers 400 with the reason, as `per_page=0` does, instead of
    silently using the default."""
    response = client.get(f"/api/v1/interactions?{query}", headers=tokens["admin"])
    assert response.status_code == 400
    name = query.split("=")[0]
    assert f"{name} must be a whole number from 1 to" in response.json["reason"]


def test_batch_reports_odd_values_per_item_and_stores_the_good_ones(client, world, tokens):
    """An out-of-range started_at, non-finite numbers and over-long or wrongly typed ids are each
    their item's error (422 alone, never a 500 or `Infinity` in the JSON); good items land."""
    agent = world["agent_red"].email
    bad = [
        chat(agent, "H-1") | {"started_at": "0001-01-01T00:00:00+14:00"},
        chat(agent, "H-2") | {"duration_seconds": float("inf")},
        chat(agent, "H-3") | {"wait_seconds": float("nan")},
        chat(agent, "H-4") | {"first_response_seconds": "-Infinity"},
        chat(agent, "x" * 121),
        chat(agent) | {"external_id": {"id": 1}},
        chat(agent) | {"external_id": ["H-7"]},
    ]
    body = {"interactions": [chat(agent, "H-0"), *bad, chat(agent, "H-8")]}
    response = client.post("/api/v1/interactions", json=body, headers=tokens["admin"])
    assert response.status_code == 201, response.get_data(as_text=True)
    reasons = {e["index"]: e["reason"] for e in response.json["errors"]}
    assert sorted(reasons) == list(range(1, 8))
    assert "started_at is out of range" in reasons[1] and "finite" in reasons[2]
    assert "finite" in reasons[3] and "finite" in reasons[4]
    assert "longer than 120" in reasons[5] and "got dict" in reasons[6] and "got list" in reasons[7]
    stored = {i.external_id for i in db.session.query(Interaction).filter_by(source="api")}
    assert stored == {"H-0", "H-8"}
    listing = client.get("/api/v1/interactions", headers=tokens["admin"])
    assert listing.status_code == 200 and "Infinity" not in listing.get_data(as_text=True)
    alone = client.post("/api/v1/interactions", json=bad[0], headers=tokens["admin"])
    assert alone.status_code == 422 and "out of range" in alone.json["errors"][0]["reason"]


def test_recording_metadata_with_an_out_of_range_date_is_a_422(client, world, tokens):
    """The recordings endpoint refuses an out-of-range started_at with a reason, not a 500."""
    import io

    response = client.c.post(
        "/api/v1/recordings",
        headers=tokens["lead_red"],
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(b"RIFF" + b"\0" * 100), "x.wav"),
            "external_id": "R-2",
            "agent_email": world["agent_red"].email,
            "started_at": "0001-01-01T00:00:00+14:00",
        },
    )
    assert response.status_code == 422 and "out of range" in response.json["reason"]
    assert db.session.query(Interaction).filter_by(external_id="R-2").count() == 0

