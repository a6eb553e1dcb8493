"""The admin's single sign-on page: which email domains may get an account on their first
sign-in through the provider, and with which role (issue 17)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import roles_required
from ..auth.sso import configured, redirect_uri
from ..extensions import db
from ..models import Role, User
from ..services import sso as sso_service
from . import bp
from .forms import SsoSettingsForm


@bp.route("/sso", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def sso_settings():
    """Single sign-on: the provider in use, provisioning by email domain and the default role."""
    settings = sso_service.get_settings()
    form = SsoSettingsForm()
    if form.validate_on_submit():
        sso_service.save_settings(
            form.allowed_domains.data or "", form.default_role.data, current_user
        )
        db.session.commit()
        flash(gettext("Single sign-on settings saved."), "info")
        return redirect(url_for(".sso_settings"))
    if not form.is_submitted():
        form.allowed_domains.data = "\n".join(settings.allowed_domains.split())
        form.default_role.data = settings.default_role.value
    sso_only = db.session.scalars(
        db.select(User).where(User.password_login.is_(False)).order_by(User.email)
    ).all()
    return render_template(
        "admin/sso.html",
        form=form,
        enabled=configured(current_app),
        issuer=current_app.config.get("OIDC_ISSUER"),
        redirect_uri=redirect_uri(),
        sso_only=sso_only,
    ), 400 if form.is_submitted() else 200
