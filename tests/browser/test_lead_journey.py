"""The lead's and admin's pages in a real browser (issue 18, defects 9, 10 and 13): assignments in
the navigation for every role that may open them, the dashboard's charts and heatmap, and the
admin's user invitation and model training."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import Page, expect

from qa.extensions import db
from qa.jobs import training
from qa.models import (
    Answer,
    Assignment,
    AutoScore,
    Review,
    ReviewStatus,
    Role,
    Sample,
    SamplingPolicy,
    User,
    utcnow,
)
from qa.services import sampling
from tests.browser.conftest import seed_admin, seed_team, sign_in
from tests.conftest import make_interaction

pytestmark = [pytest.mark.browser]


def _seed_assignment() -> dict[Role, User]:
    """Inside an app context: team Billing, an admin, and one open assignment for the reviewer."""
    team, people, _ = seed_team()
    seed_admin()
    policy = SamplingPolicy(team=team, name="Weekly")
    db.session.add(policy)
    interaction = make_interaction(people[Role.AGENT])
    db.session.flush()
    sample = Sample(
        policy=policy,
        week=sampling.week_of(interaction.started_at),
        interaction=interaction,
        stratum="random",
    )
    db.session.add(
        Assignment(sample=sample, interaction=interaction, reviewer=people[Role.REVIEWER])
    )
    db.session.commit()
    return people


@pytest.mark.parametrize(
    ("email", "link", "heading"),
    [
        ("lead@example.com", "Assignments", "Open assignments of your teams"),
        ("admin@example.com", "Assignments", "Open assignments"),
        ("reviewer@example.com", "My sample", "My sampled interactions"),
    ],
)
def test_assignments_are_in_the_navigation_of_who_may_open_them(
    live_app, page: Page, email: str, link: str, heading: str
):
    """Lead, admin and reviewer reach the open assignments from the top bar, with a Replace link."""
    app, base = live_app
    with app.app_context():
        _seed_assignment()
    sign_in(page, base, email)
    if email != "reviewer@example.com":  # a lead tool: under More in the top bar
        page.locator("details.more summary").click()
    page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("Aisha Agent")
    expect(page.get_by_role("link", name="Replace…")).to_have_count(1)
    if email != "reviewer@example.com":
        expect(page.locator("#assignments")).to_contain_text("Rita Reviewer")


def test_agent_has_no_assignments_link(live_app, page: Page):
    """An agent sees no assignments link and the page answers them 403."""
    app, base = live_app
    with app.app_context():
        _seed_assignment()
    sign_in(page, base, "agent@example.com")
    expect(page.get_by_role("navigation").get_by_role("link", name="Assignments")).to_have_count(0)
    assert page.request.get(f"{base}/sampling/assignments").status == 403


def _seed_reviews(auto: float | None = None) -> None:
    """Inside an app context: team Billing, a sampling policy and three reviews of Aisha Agent
    answering every criterion of the demo scorecard at its maximum."""
    team, people, version = seed_team()
    db.session.add(SamplingPolicy(team=team, name="Weekly"))
    for score in (60, 80, 100):
        interaction = make_interaction(people[Role.AGENT])
        if auto is not None:
            db.session.add(
                AutoScore(
                    interaction=interaction, criterion="empathy", value=auto, model_version="t"
                )
            )
        review = Review(
            interaction=interaction,
            reviewer=people[Role.REVIEWER],
            scorecard_version=version,
            status=ReviewStatus.SUBMITTED,
            score=score,
            submitted_at=utcnow(),
        )
        for criterion in version.criteria:
            review.answers.append(Answer(criterion=criterion, value=criterion.scale_max, na=False))
        db.session.add(review)
    db.session.commit()


def test_dashboard_axes_labels_heatmap_and_sample_week(live_app, page: Page, tmp_path):
    """The distribution has y-axis values and a title, criterion labels are whole in a tooltip,
    the agent x criterion heatmap has a value per cell, a legend and a CSV, and the weekly sample
    defaults to the current ISO week."""
    app, base = live_app
    with app.app_context():
        _seed_reviews()
    sign_in(page, base, "lead@example.com")
    page.goto(f"{base}/dashboard")
    distribution = page.locator("#distribution svg")
    expect(distribution.locator("text.axis-title")).to_have_text("Reviews")
    ticks = distribution.locator("text[text-anchor=end]").all_text_contents()
    assert ticks == ["4", "3", "2", "1", "0"] or ticks == ["0", "1", "2", "3", "4"], ticks
    tick_ys = [
        float(y)
        for y in distribution.locator("text[text-anchor=end]").evaluate_all(
            "ts => ts.map(t => t.getAttribute('y'))"
        )
    ]
    assert len(set(tick_ys)) == 5 and all(14 <= y <= 220 - 42 + 4 for y in tick_ys), tick_ys
    criteria = page.locator("#criteria svg")
    expect(criteria.locator("text > title", has_text="Next steps and closing")).to_have_count(1)
    assert "…" not in "".join(criteria.locator("tspan").all_text_contents())

    heat = page.locator("#heatmap svg")
    expect(heat.locator("g.cell")).to_have_count(7)
    expect(heat.locator("g.cell text").first).to_have_text("100")
    expect(heat).to_contain_text("no answers")
    expect(page.locator("#heatmap").get_by_role("link", name="CSV")).to_have_count(1)
    page.locator("#heatmap summary").click()
    expect(page.locator("#heatmap-table")).to_contain_text("Aisha Agent")

    assert page.get_by_label("ISO week").input_value() == sampling.week_of(utcnow())
    page.locator("#criteria").screenshot(path=str(tmp_path / "criteria.png"))
    page.locator("#heatmap").screenshot(path="/tmp/lead-heatmap.png")
    page.locator("#distribution").screenshot(path="/tmp/lead-distribution.png")


def test_admin_invites_a_user_who_sets_a_password_and_signs_in(live_app, page: Page, browser):
    """The admin invites a reviewer with a capacity from the users page, hands over the one-time
    link; the new user sets a password there (a common one refused) and signs in with it."""
    app, base = live_app
    with app.app_context():
        seed_team()
        seed_admin()
    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/users")
    page.get_by_label("Name", exact=True).fill("Nina New")
    page.get_by_label("Email", exact=True).fill("nina@example.com")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_label("Weekly review capacity").fill("25")
    page.get_by_role("button", name="Create or invite user").click()
    expect(page.get_by_role("heading", name="Invite Nina New")).to_be_visible()
    link = page.get_by_label("Set-password link").input_value()
    assert "/account/set-password/" in link
    page.screenshot(path="/tmp/lead-invite.png")

    page.goto(f"{base}/admin/users")
    expect(page.get_by_label("Weekly capacity of Nina New")).to_have_value("25")
    page.get_by_label("Weekly capacity of Rita Reviewer").fill("12")
    page.get_by_role("button", name="Save Rita Reviewer").click()
    expect(page.get_by_label("Weekly capacity of Rita Reviewer")).to_have_value("12")

    guest = browser.new_context().new_page()
    guest.goto(link)
    guest.get_by_label("New password", exact=True).fill("password1")
    guest.get_by_label("New password again").fill("password1")
    guest.get_by_role("button", name="Set password").click()
    expect(guest.locator(".error", has_text="most common")).to_be_visible()
    guest.get_by_label("New password", exact=True).fill("amber-kettle-41")
    guest.get_by_label("New password again").fill("amber-kettle-41")
    guest.get_by_role("button", name="Set password").click()
    expect(guest.get_by_text("Your password is set.")).to_be_visible()
    guest.get_by_label("Email").fill("nina@example.com")
    guest.get_by_label("Password").fill("amber-kettle-41")
    guest.get_by_role("button", name="Sign in").click()
    expect(guest.locator("details.account summary")).to_have_text("Nina New")  # account menu
    expect(guest.locator("details.account")).to_contain_text("reviewer")
    guest.goto(link)
    expect(guest.get_by_text("already used")).to_be_visible()


def test_models_page_dates_and_agreement_with_reviewers(live_app, page: Page):
    """The models page shows dates as people read them, says the AUC is cross-validation on the
    training corpus, and puts the agreement of AutoQA with the reviewers (n, kappa) beside it."""
    app, base = live_app
    with app.app_context():
        _seed_reviews(auto=95)
        seed_admin()
    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/models")
    models = page.locator("#models")
    expect(models).to_contain_text("on the training corpus")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", models.inner_text())
    expect(models).to_contain_text(" UTC")
    row = page.locator("#agreement-table tr", has_text="Empathy")
    expect(row).to_contain_text("3")  # three reviewed interactions with an AutoQA empathy score
    expect(row).to_contain_text("100%")
    page.screenshot(path="/tmp/lead-models.png", full_page=True)


def test_admin_trains_from_the_page_and_sees_progress_then_the_reason(
    live_app, page: Page, monkeypatch
):
    """Train from reviews starts a background job whose step the page shows while it runs, then
    the page shows the failure's reason once the job ends."""
    app, base = live_app
    with app.app_context():
        seed_admin()
    training.state_path(app).unlink(missing_ok=True)
    release = threading.Event()

    def runner(actor_id, progress):  # type: ignore[no-untyped-def]
        progress("training on the reviewers' labels", 30)
        release.wait(10)
        raise ValueError("not enough reviewer labels for empathy: 3, need 40")

    monkeypatch.setattr(training, "retrain", runner)
    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/models")
    page.get_by_role("button", name="Train from reviews").click()
    expect(page.locator("#train-text")).to_contain_text("training on the reviewers' labels (30%)")
    expect(page.get_by_role("button", name="Train from reviews")).to_be_disabled()
    page.locator("#training").screenshot(path="/tmp/lead-training.png")
    release.set()
    expect(page.locator("#train-text")).to_contain_text("failed", timeout=10000)
    expect(page.locator("#train-text")).to_contain_text("not enough reviewer labels for empathy")
    expect(page.get_by_role("button", name="Train from reviews")).to_be_enabled()
    training.state_path(app).unlink(missing_ok=True)
