"""Scorecards and training modules carry the language they are written in: the builder and the
module form set it, the lists show it, and assigning one to a team (or to agents of a team) that
works in another language is warned about, never refused."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from qa.coaching import services as coaching
from qa.coaching.models import TrainingAssignment, TrainingModule
from qa.extensions import db
from qa.models import Role, Scorecard, ScorecardAssignment
from qa.services import reviews
from qa.services import scorecards as assigning
from tests.conftest import make_team, make_user


def flashes(response, category: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The page's flash messages (of one category, when given)."""
    found = re.findall(r'<p class="flash ([a-z]*)"[^>]*>(.*?)</p>', response.get_data(as_text=True))
    return [html.unescape(text) for cat, text in found if not category or cat == category]


def _row(i: int, name: str) -> dict[str, str]:
    return {f"criteria-{i}-{k}": v for k, v in
            {"section": "Savoir-être", "name": name, "weight": "1", "scale": "yesno"}.items()}


@pytest.fixture
def french(world):  # type: ignore[no-untyped-def]
    """A French team with an agent, led by Red's lead too."""
    team = make_team("Service Client France")
    team.language = "fr"
    world["lead_red"].led_teams.append(team)
    world["agent_fr"] = make_user(Role.AGENT, team=team, name="Camille Bernard")
    world["fr"] = team
    db.session.commit()
    return world


def test_builder_saves_the_language_and_the_lists_show_it(french, login):
    """A lead publishes a scorecard written in French: stored as fr, the list says French, the
    version page says so; an edit that leaves the language out keeps it."""
    c = login(french["lead_red"])
    data = {"name": "Qualité service client", "language": "fr", "publish": "1"} | _row(0, "Empathie")
    assert c.post("/scorecards/new", data).status_code == 302
    card = db.session.scalar(select(Scorecard).where(Scorecard.name == "Qualité service client"))
    assert card is not None and card.language == "fr"
    listed = c.get("/scorecards").get_data(as_text=True)
    assert re.search(r'<td lang="fr">Qualité service client</td><td class="language">French</td>', listed)
    assert "Written in French." in c.get(f"/scorecards/{card.id}/versions/1").get_data(as_text=True)
    del data["language"]
    assert c.post(f"/scorecards/{card.id}/edit", data).status_code == 302
    db.session.refresh(card)
    assert card.language == "fr"
    assert c.post("/scorecards/new", {**data, "name": "X", "language": "xx"}).status_code == 400


def test_assigning_a_scorecard_to_a_team_of_another_language_warns(french, login):
    """An English scorecard assigned to the French team is saved, with a warning naming the
    team and its language; the builder keeps showing it; the French team alone gets none."""
    c = login(french["lead_red"])
    card, fr, red = french["scorecard"], french["fr"], french["red"]
    page = c.post(f"/scorecards/{card.id}/assign", {"teams": [str(fr.id), str(red.id)]},
                  follow_redirects=True)  # fmt: skip
    assert flashes(page, "warning") == [
        f"{card.name} is written in English, but it applies to teams that work in another "
        "language: Service Client France (French). Their reviewers will score with criteria in "
        "English."
    ]
    assert {a.team_id for a in db.session.scalars(select(ScorecardAssignment))} == {fr.id, red.id}
    body = page.get_data(as_text=True)
    assert 'id="language-warning"' in body
    assert "Service Client France (French)</option>" in body  # the teams offered say their language
    card.language = "fr"
    db.session.commit()
    page = c.post(f"/scorecards/{card.id}/assign", {"teams": [str(fr.id)]}, follow_redirects=True)
    assert flashes(page, "warning") == [] and 'id="language-warning"' not in page.get_data(as_text=True)


def test_teams_in_other_language_lists_each_mismatched_team_once(french):
    """A scorecard on a team by itself and on that team on a channel names the team once."""
    card, fr = french["scorecard"], french["fr"]
    assigning.set_assignments(card, ["chat", "email"], [fr.id, french["red"].id], actor=None,
                              combine=True)  # fmt: skip
    assert assigning.teams_in_other_language(card) == [fr]
    with pytest.raises(reviews.ReviewError, match="unknown language"):
        reviews.save_scorecard(card, card.name, None, [], publish=False, language="klingon")


def test_module_form_saves_the_language_and_the_catalogue_shows_it(french, login):
    """A module written in French is stored as fr and the catalogue and its page say French."""
    c = login(french["lead_red"])
    data = {"title": "L'empathie au téléphone", "language": "fr", "criterion_key": "",
            "content": "# Reformuler\nJe comprends tout à fait.", "pass_mark": "80"}  # fmt: skip
    assert c.post("/training/modules/new", data).status_code == 302
    item = db.session.scalar(select(TrainingModule).where(TrainingModule.language == "fr"))
    assert item is not None and item.title == "L'empathie au téléphone"
    catalogue = c.get("/training/").get_data(as_text=True)
    assert re.search(r'lang="fr">L&#39;empathie au téléphone</a> <span class="tag language">French</span>', catalogue)
    page = c.get(f"/training/modules/{item.id}").get_data(as_text=True)
    assert '<section class="card narrow prose" lang="fr">' in page and ">French</span>" in page
    assert c.post("/training/modules/new", {**data, "title": "Y", "language": "zz"}).status_code == 400


def test_assigning_training_to_agents_of_another_language_warns(french, login):
    """A French module assigned to the French agent and to an English one is assigned to both,
    with a warning naming the English agent only; the page opened from a dashboard with that
    choice warns before the lead submits."""
    lead, camille, english = french["lead_red"], french["agent_fr"], french["agent_red"]
    item = coaching.save_module(None, lead, title="Empathie", content="x", criterion_key=None,
                                quiz=None, pass_mark=80, language="fr")  # fmt: skip
    db.session.commit()
    c = login(lead)
    before = c.get(f"/training/assign?module={item.id}&agent={camille.id}&agent={english.id}")
    warning = (f"“Empathie” is written in French, but these agents work in another language: "
               f"{english.name} (English).")  # fmt: skip
    assert html.unescape(before.get_data(as_text=True)).count(warning) == 1
    alone = c.get(f"/training/assign?module={item.id}&agent={camille.id}").get_data(as_text=True)
    assert 'id="language-warning"' not in alone
    page = c.post("/training/assign", {"module": str(item.id),
                                       "agents": [str(camille.id), str(english.id)]},
                  follow_redirects=True)  # fmt: skip
    assert flashes(page, "warning") == [warning]
    assigned = {a.agent_id for a in db.session.scalars(select(TrainingAssignment))}
    assert assigned == {camille.id, english.id}
    assert coaching.agents_in_other_language(item, [camille, english]) == [english]
