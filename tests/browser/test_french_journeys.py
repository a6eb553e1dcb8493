"""The reviewer's and the agent's journeys in French, in Chromium (issue 15): a reviewer picks
"Français" on their account page and works their queue, the review form and a submit in French;
an agent whose browser asks for French (Accept-Language) acknowledges and disputes feedback in
French. Each page is checked for French text and <html lang="fr">, and numbers and dates in the
French form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from qa.extensions import db
from qa.models import Dispute, Review, User
from qa.templating import review_score_text
from tests.browser.conftest import seed_team, sign_in
from tests.browser.test_disputes import reviewed
from tests.browser.test_reviewer_journey import seed
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def sign_in_french(page: Page, base: str, email: str) -> None:
    """Sign in through the login form as a French browser sees it."""
    page.goto(f"{base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Se connecter à Coachline")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_reviewer_chooses_french_and_reviews_in_french(live_app, page: Page):
    """A reviewer signs in (English by default), chooses Français on the account page; from the
    next page the queue, the review form and the submit flash are French, with French numbers;
    choosing Automatic again gives English back."""
    app, base = live_app
    data = seed(app)
    sign_in(page, base, data["reviewer"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("details.account summary").click()  # the account menu in the top bar
    page.get_by_role("link", name="Language").click()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Save language").click()
    expect(page.locator(".flash")).to_have_text("Langue enregistrée.")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    with app.app_context():
        assert db.session.query(User).filter_by(email=data["reviewer"]).one().locale == "fr"

    page.goto(f"{base}/queue")
    expect(page.get_by_role("heading", name="Ma file de revues")).to_be_visible()
    expect(page.locator("#pacing")).to_contain_text("0 sur 2 faites")
    expect(page.locator("#pacing")).to_contain_text("capacité de 12 par semaine")
    expect(page.get_by_role("link", name="Ma file")).to_be_visible()

    page.goto(f"{base}/reviews/{data['review']}/edit")
    expect(page.locator("#keys-help")).to_contain_text("Touches")
    empathy = page.locator('fieldset[data-criterion="Empathy"]')
    expect(empathy.locator(".suggest")).to_contain_text("AutoQA suggère")
    expect(empathy.locator(".opt", has_text="1")).to_contain_text("Pas du tout")
    expect(empathy.get_by_role("button", name="Accepter la suggestion")).to_be_visible()
    expect(page.get_by_role("button", name="Soumettre la revue")).to_be_visible()
    page.locator('fieldset[data-criterion="Greeting and verification"]').focus()
    for key in ["1", "5", "4", "1", "1", "n", "2"]:
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    first, second = data["chats"][0][1], data["chats"][1][1]
    expect(page.locator(".flash")).to_contain_text(
        f"Revue soumise : score 92,5. {first} enregistrée (Aisha Agent). "
        f"Suivante dans votre file : {second}."
    )
    page.goto(f"{base}/queue")
    expect(page.locator("#pacing")).to_contain_text("1 sur 2 faites")

    page.goto(f"{base}/account/password")
    page.get_by_label("Langue").select_option("")
    page.get_by_role("button", name="Enregistrer la langue").click()
    expect(page.locator(".flash")).to_have_text("Language saved.")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_agent_with_a_french_browser_acknowledges_and_disputes_in_french(
    live_app, browser: Browser
):
    """An agent who chose nothing, with a browser asking for French: /feedback, the
    acknowledgement, the review page and the dispute are all in French, with French dates."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()
        agent = next(p for p in people.values() if p.role.value == "agent")
        reviewer = next(p for p in people.values() if p.role.value == "reviewer")
        first = reviewed(agent, reviewer, version, 1)
        reviewed(agent, reviewer, version, 3)
        db.session.commit()
        first_id, agent_email = first.id, agent.email
        score = first.score
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        sign_in_french(page, base, agent_email)
        page.goto(f"{base}/feedback")
        expect(page.get_by_role("heading", name="Mes retours")).to_be_visible()
        rows = page.locator("#feedback tbody tr")
        expect(rows.get_by_role("button", name="Accuser réception")).to_have_count(2)
        # a French date: "2 déc. 2026", not 2026-12-02
        expect(rows.nth(0).locator("td").nth(1)).to_have_text(re.compile(r"^\d{1,2}\s\S+\s\d{4}$"))
        rows.nth(0).get_by_role("button", name="Accuser réception").click()
        expect(page.locator(".flash")).to_have_text("Retour pris en compte.")
        expect(rows.nth(0)).to_contain_text("pris en compte")
        rows.nth(0).get_by_role("link", name="Contester").click()
        expect(page).to_have_url(f"{base}/reviews/{first_id}#dispute-form")
        expect(page.locator("#dispute-window")).to_contain_text("Vous pouvez contester jusqu'au")
        page.get_by_label("Pourquoi contestez-vous ?").fill("Le client a bien été remboursé.")
        page.get_by_role("button", name="Ouvrir la contestation").click()
        expect(page.locator(".flash")).to_have_text(
            "Contestation ouverte. L'évaluateur répond en premier."
        )
        expect(page.locator("#disputes")).to_contain_text("ouverte")
        # the review's score has a half point (test_disputes.ANSWERS): it reads with a comma
        english = review_score_text(score)
        assert "." in english, english
        expect(page.locator(".bigscore")).to_contain_text(english.replace(".", ","))
        expect(page.locator(".bigscore")).not_to_contain_text(english)
    finally:
        context.close()
    with app.app_context():
        review = db.session.get(Review, first_id)
        assert review is not None and review.acknowledged_at is not None
        assert db.session.query(Dispute).filter_by(review_id=first_id).count() == 1
