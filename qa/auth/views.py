from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext, refresh
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db
from ..i18n import supported_languages
from ..models import User
from ..services import audit, sign_in, voice_profiles
from ..services import users as user_service
from . import bp
from .forms import ChangePasswordForm, LanguageForm, LoginForm, SetPasswordForm
from .sso import ID_TOKEN_KEY, provider_sign_out_url


def _verify(email: str, password: str) -> User | None:
    """sign_in.verify_password with this request's address and the configured limits."""
    limits = sign_in.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
    return sign_in.verify_password(email, password, request.remote_addr or "", limits)


def _throttled(template: str, form, error: sign_in.Throttled):  # type: ignore[no-untyped-def]
    """429 with the form again and a message that does not tell whether the account exists."""
    minutes = -(-error.retry_after // 60)
    flash(
        ngettext(
            "Too many attempts for this account or from this address. "
            "Try again in %(num)d minute.",
            "Too many attempts for this account or from this address. "
            "Try again in %(num)d minutes.",
            minutes,
        ),
        "error",
    )
    page = render_template(template, form=form)
    return page, 429, {"Retry-After": str(error.retry_after)}


def _wrong_password(form: LoginForm):  # type: ignore[no-untyped-def]
    """401 with the form again, the failure audited (against the account, if there is one)."""
    known = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
    audit.record(known, "auth.login_failed", known, email=form.email.data[:255])
    db.session.commit()
    flash(gettext("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form), 401


def _password_login_off(form: LoginForm, user: User):  # type: ignore[no-untyped-def]
    """403: this user signs in through single sign-on. Said only after the right password, so
    the message does not tell a stranger which accounts exist or how they sign in."""
    audit.record(user, "auth.password_refused", user)
    db.session.commit()
    flash(
        gettext(
            "Password sign-in is turned off for this account: use single sign-on, or ask your "
            "admin."
        ),
        "error",
    )
    return render_template("auth/login.html", form=form), 403


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; attempts are limited per account and per address."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = _verify(form.email.data, form.password.data)
        except sign_in.Throttled as error:
            return _throttled("auth/login.html", form, error)
        if user is None:
            return _wrong_password(form)
        if not user.password_login:
            return _password_login_off(form, user)
        login_user(user, remember=form.remember.data)
        audit.record(user, "auth.login", user)
        db.session.commit()
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
            target = url_for("dashboard.home")
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: this session and any copy of its cookies stop working. After a single sign-on,
    on to the provider to end the session there too when it offers that (RP-initiated logout)."""
    id_token = session.pop(ID_TOKEN_KEY, None)
    user_service.sign_out(current_user)
    db.session.commit()
    logout_user()
    flash(gettext("You are signed out."), "info")
    return redirect(provider_sign_out_url(id_token) or url_for("auth.login"))


def _account_page(form: ChangePasswordForm) -> str:
    """The account page: the language choice and the change-password form."""
    languages = LanguageForm(locale=current_user.locale or "").offer(supported_languages())
    return render_template("auth/password.html", form=form, language_form=languages)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions end, this one stays signed in."""
    if not current_user.password_login:
        flash(gettext("Your account signs in with single sign-on: it has no password."), "info")
        return redirect(url_for("dashboard.home"))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ok = _verify(current_user.email, form.current_password.data) is not None
        except sign_in.Throttled as error:
            return _throttled("auth/password.html", form, error)
        if not ok:
            form.current_password.errors.append(gettext("This is not your current password."))
            return _account_page(form), 400
        user = current_user._get_current_object()
        try:
            user_service.change_password(user, form.new_password.data)
        except user_service.UserError as exc:
            db.session.rollback()
            form.new_password.errors.append(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return _account_page(form), 400
        db.session.commit()
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        # the new session version: a fresh session, and a fresh remember-me cookie if one was kept
        login_user(user, remember=remembered in request.cookies)
        flash(gettext("Your password is changed. Other sessions are signed out."), "info")
        return redirect(url_for("dashboard.home"))
    return _account_page(form), 400 if form.is_submitted() else 200


@bp.route("/account/language", methods=["POST"])
@login_required
def change_language():
    """Choose one's interface language (empty: the browser's); the next page is in it."""
    form = LanguageForm().offer(supported_languages())
    if not form.validate_on_submit():
        flash(gettext("Choose a language from the list."), "error")
        return redirect(url_for(".change_password")), 303
    user = current_user._get_current_object()
    user.locale = form.locale.data or None
    db.session.commit()
    refresh()  # Flask-Babel chose this request's locale already: choose again, in the new one
    flash(gettext("Language saved."), "info")
    return redirect(url_for(".change_password"))


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """An invited user chooses their password through the one-time link an admin gave them."""
    try:
        user = user_service.user_for_invite(token, current_app.config["SECRET_KEY"])
    except user_service.UserError as exc:
        return render_template("auth/set_password.html", form=None, error=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user_service.set_invited_password(user, form.new_password.data)
        except user_service.UserError as exc:
            db.session.rollback()
            form.new_password.errors.append(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        else:
            db.session.commit()
            flash(gettext("Your password is set. Sign in with it."), "info")
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/set_password.html", form=form, user=user, error=None), status


@bp.route("/account/voice-profile", methods=["GET", "POST"])
@bp.route("/account/voice-profile/<int:user_id>", methods=["GET", "POST"])
@login_required
def voice_profile(user_id: int | None = None):
    """An agent's opt-in voice profile (biometric data): the agent themself, or an admin with
    the agent's recorded consent, creates it from earlier calls, rebuilds or deletes it
    (``action``: create | delete | withdraw); anyone else gets 404."""
    agent = current_user if user_id is None else db.session.get(User, user_id)
    if agent is None or not voice_profiles.may_manage(current_user, agent):
        abort(404)
    if request.method == "POST":
        form = request.form
        try:
            message = voice_profiles.apply(
                agent, current_user, form.get("action", ""),
                consent=form.get("consent") == "yes", consent_note=form.get("consent_note"),
            )  # fmt: skip
        except voice_profiles.VoiceProfileError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(message, "info")
        return redirect(url_for(".voice_profile", user_id=user_id), 303)
    return render_template(
        "auth/voice_profile.html", agent=agent, profile=voice_profiles.profile_of(agent),
        for_self=agent.id == current_user.id,
    )  # fmt: skip
