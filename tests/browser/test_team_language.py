"""A team's language in Chromium (issue 15): the admin sets it on the users and teams page and
is told what it decides; the demo's French team is then seen by its lead in French, with French
KPI names, its French scorecard and training module, and a warning when an English scorecard is
assigned to it, while an English-reading lead of the same team sees English KPI names."""

from __future__ import annotations

import pytest
from flask import current_app
from playwright.sync_api import Browser, Page, expect

from qa.demo.french import LEAD, MODULE_TITLE, SCORECARD_NAME, TEAM, email, load_french
from qa.extensions import db
from qa.models import Role, Team
from qa.services.ingest import IngestSettings
from qa.services.users import create_user
from tests.browser.conftest import seed_admin, seed_team, sign_in
from tests.browser.test_french_journeys import sign_in_french
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]

DOMAIN = "example.com"


def test_admin_sets_a_team_language_and_reads_what_it_changes(live_app, page: Page):
    """The admin picks German for Billing and saves: the flash names the multilingual Whisper model
    and the English-only AutoQA model, the team's line says so, and the team is stored German."""
    app, base = live_app
    with app.app_context():
        seed_team()
        seed_admin()
    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    line = page.locator("#teams li", has_text="Billing")
    expect(line.locator(".language-effects")).to_contain_text("Calls: Whisper tiny.en")
    page.get_by_label("Language of Billing", exact=True).select_option(label="German")
    page.get_by_role("button", name="Set language of Billing").click()
    flash = page.locator(".flash")
    expect(flash).to_contain_text("Billing now works in German.")
    expect(flash).to_contain_text("Calls are transcribed with Whisper base, which detects the language.")
    expect(flash).to_contain_text("“not scored: language de”")
    expect(line.locator(".language-effects")).to_contain_text("Calls: Whisper base · AutoQA: not scored")
    expect(page.get_by_label("Language of Billing", exact=True)).to_have_value("de")
    with app.app_context():
        assert db.session.query(Team).filter_by(name="Billing").one().language == "de"


def test_french_lead_sees_the_french_team_in_french(live_app, browser: Browser):
    """The demo's French lead (a French browser) sees the team dashboard's KPI and criterion names
    in French, the French scorecard and module listed as French, and a French warning when the
    English scorecard is assigned to the team; an English lead of the team sees English KPIs."""
    app, base = live_app
    with app.app_context():
        _, people, version = seed_team()  # the English "Support quality" scorecard
        load_french(IngestSettings.from_config(current_app.config), password=PASSWORD,
                    domain=DOMAIN, calls=False, echo=lambda _: None)  # fmt: skip
        team = db.session.query(Team).filter_by(name=TEAM).one()
        english = create_user(f"english.lead@{DOMAIN}", "Eve Lead", PASSWORD, Role.LEAD,
                              leads=[team])  # fmt: skip
        db.session.commit()
        english_email, scorecard_id = english.email, version.scorecard_id
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        sign_in_french(page, base, email(LEAD, DOMAIN))
        page.goto(f"{base}/dashboard")
        expect(page.get_by_role("heading", name=f"Tableau de bord de l'équipe · {TEAM}")).to_be_visible()
        kpis = page.locator(".kpis")
        for name in ("Taux de résolution au premier contact", "Délai de première réponse",
                     "Durée moyenne de traitement", "Taux d'escalade", "CSAT (4-5 parmi les notées)"):
            expect(kpis).to_contain_text(name)
        expect(kpis).not_to_contain_text("First-contact resolution")
        expect(page.locator("table.sla")).to_contain_text("appel")
        expect(page.get_by_role("cell", name="Empathie", exact=True)).to_be_visible()

        page.goto(f"{base}/scorecards")
        row = page.locator("#scorecards tr", has_text=SCORECARD_NAME)
        expect(row.locator("td.language")).to_have_text("Français")
        expect(page.locator("#scorecards tr", has_text="Support quality").locator("td.language")).to_have_text("Anglais")
        page.goto(f"{base}/training/")
        expect(page.locator("#catalogue li", has_text=MODULE_TITLE).locator(".language")).to_have_text("Français")

        page.goto(f"{base}/scorecards/{scorecard_id}/edit")
        page.get_by_label("Équipes", exact=True).select_option(label=f"{TEAM} (français)")
        page.get_by_role("button", name="Enregistrer l'affectation").click()
        expect(page.locator(".flash.warning")).to_contain_text(
            f"Support quality est rédigée en anglais, mais elle s'applique à des équipes qui "
            f"travaillent dans une autre langue\u00a0: {TEAM} (français)."
        )
        expect(page.locator(".flash.info")).to_be_visible()  # saved all the same
    finally:
        context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, base, english_email)
        page.goto(f"{base}/dashboard")
        kpis = page.locator(".kpis")
        expect(kpis).to_contain_text("First-contact resolution")
        expect(kpis).to_contain_text("First response time")
        expect(kpis).not_to_contain_text("Taux de résolution au premier contact")
        # the team's own names (its French scorecard's criteria) stay as the team wrote them
        expect(page.get_by_role("cell", name="Empathie", exact=True)).to_be_visible()
    finally:
        context.close()
