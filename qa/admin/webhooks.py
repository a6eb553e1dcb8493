"""Admin: outgoing webhooks (URL, secret, the notification kinds) and their last deliveries."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import roles_required
from ..extensions import db
from ..models import Role, Webhook, WebhookDelivery
from ..services import audit, webhooks
from . import bp


class WebhookForm(FlaskForm):
    url = StringField("URL", validators=[DataRequired(), Length(max=500)])
    secret = PasswordField("Secret", validators=[DataRequired(), Length(min=16, max=200)])
    events = SelectMultipleField(
        "Events",
        choices=list(webhooks.KINDS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    add = SubmitField(lazy_gettext("Add webhook"))


def _page(form: WebhookForm, status: int = 200):  # type: ignore[no-untyped-def]
    hooks = db.session.scalars(select(Webhook).order_by(Webhook.id)).all()
    recent = db.session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(20)
    ).all()
    return render_template(
        "admin/webhooks.html",
        form=form,
        hooks=hooks,
        recent=recent,
        max_attempts=webhooks.MAX_ATTEMPTS,
    ), status


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def webhooks_page():
    """List the webhooks and their recent deliveries; add one."""
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 400 if form.is_submitted() else 200)
    try:
        hook = webhooks.create_webhook(
            form.url.data, form.secret.data, form.events.data or [], actor=current_user
        )
    except webhooks.WebhookError as exc:
        flash(str(exc), "error")
        return _page(form, 400)
    audit.record(current_user, "webhook.created", hook, url=hook.url, events=hook.events)
    db.session.commit()
    flash(gettext("Webhook added."), "info")
    return redirect(url_for(".webhooks_page"))


@bp.route("/webhooks/<int:webhook_id>/toggle", methods=["POST"])
@roles_required(Role.ADMIN)
def webhook_toggle(webhook_id: int):
    """Pause or resume a webhook."""
    hook = db.session.get(Webhook, webhook_id)
    if hook is None:
        abort(404)
    hook.active = not hook.active
    audit.record(current_user, "webhook.toggled", hook, active=hook.active)
    db.session.commit()
    return redirect(url_for(".webhooks_page"))
