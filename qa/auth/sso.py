"""Single sign-on with OpenID Connect (issue 17): Authlib's Flask client does discovery, the
authorization-code flow with PKCE (S256), state and nonce; the ID token is verified here (its
signature against the provider's JWKS, iss, aud, exp, iat, nonce) before the service in
qa/services/sso.py matches the person to a user.

On when QA_OIDC_ISSUER and QA_OIDC_CLIENT_ID are set. The redirect URI to register with the
provider is <this site>/login/sso/callback.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..extensions import db
from ..services import audit, sign_in
from ..services import sso as sso_service
from . import bp

EXTENSION = "coachline.oidc"
NEXT_KEY = "sso_next"
# The ID token of an SSO sign-in, kept in the session for the provider's sign-out (id_token_hint).
ID_TOKEN_KEY = "sso_id_token"
# Seconds of clock difference tolerated on exp and iat (Authlib's default is 120).
LEEWAY = 60


class ProviderError(Exception):
    """The identity provider could not be used (unreachable, or its discovery is wrong)."""


def configured(app: Flask) -> bool:
    """Whether single sign-on is set up (an issuer and a client id)."""
    return bool(app.config.get("OIDC_ISSUER") and app.config.get("OIDC_CLIENT_ID"))


def _client() -> Any:
    """This app's Authlib client for the provider, registered on first use (one per app, so test
    apps with different providers do not share one)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    oauth = app.extensions.get(EXTENSION)
    if oauth is None:
        config = app.config
        secret = config.get("OIDC_CLIENT_SECRET") or None
        scopes = (config.get("OIDC_SCOPES") or "openid email profile").split()
        client_kwargs = {
            # openid always: without it there is no ID token (and Authlib sends no nonce)
            "scope": " ".join(["openid", *(s for s in scopes if s != "openid")]),
            "code_challenge_method": "S256",
            "default_timeout": 10,
        }
        if secret is None:  # a public client: PKCE is its only proof
            client_kwargs["token_endpoint_auth_method"] = "none"
        oauth = OAuth(app)
        oauth.register(
            "oidc",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=secret,
            server_metadata_url=f"{config['OIDC_ISSUER'].rstrip('/')}/.well-known/openid-configuration",
            client_kwargs=client_kwargs,
        )
        app.extensions[EXTENSION] = oauth
    return oauth.create_client("oidc")


def _metadata(client: Any) -> dict[str, Any]:
    """The provider's discovery document; ProviderError when it cannot be fetched or names
    another issuer than the configured one (OpenID Connect Discovery, section 4.3)."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(f"discovery failed: {type(exc).__name__}") from exc
    expected = current_app.config["OIDC_ISSUER"].rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != expected:
        client.server_metadata = {}  # fetch it again next time
        raise ProviderError("the discovery document names another issuer")
    return metadata


def _claims_options(metadata: dict[str, Any]) -> dict[str, Any]:
    """What the ID token's claims must be, on top of Authlib's own checks (nonce, azp, at_hash):
    issued by this issuer, to this client, with an expiry and an issue time."""
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }


def redirect_uri() -> str:
    """The callback URL to register at the provider: under QA_BASE_URL when it is set (behind a
    proxy the request's own host and scheme may be internal ones), else this request's."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return (
        f"{base}{url_for('auth.sso_callback')}"
        if base
        else url_for("auth.sso_callback", _external=True)
    )


def _safe_next(target: str | None) -> str:
    """`target` if it is a path of this site, else the start page (browsers read "/\\x" as "//x")."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or urlsplit(target).netloc
    ):
        return url_for("dashboard.home")
    return target


def _provider_down(error: ProviderError) -> tuple[str, int]:
    current_app.logger.warning("single sign-on: %s", error)
    reason = gettext(
        "The sign-in provider cannot be reached or is misconfigured. Try again later or ask "
        "your admin."
    )
    title = gettext("Sign-in provider unavailable")
    return render_template("error.html", code=502, title=title, reason=reason), 502


@bp.context_processor
def sso_button() -> dict[str, Any]:
    """The label of the "Sign in with …" button on the auth pages, None when SSO is off."""
    return {"sso_label": current_app.config.get("OIDC_LABEL") if configured(current_app) else None}


@bp.route("/login/sso")
def sso_login():
    """Start single sign-on: off to the provider, with state, nonce and a PKCE challenge kept in
    this session."""
    if not configured(current_app):
        return _not_set_up()
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    client = _client()
    try:
        _metadata(client)
    except ProviderError as error:
        return _provider_down(error)
    session[NEXT_KEY] = _safe_next(request.args.get("next"))
    return client.authorize_redirect(redirect_uri())


def _verified_claims(client: Any) -> tuple[dict[str, Any], str]:
    """The provider's answer, checked: the state this session sent, the code exchanged (with the
    PKCE verifier), the ID token's signature and claims. Claims missing from the ID token (some
    providers leave the email out) come from the userinfo endpoint, whose sub must match. The
    claims, and the ID token itself (the hint of a later sign-out at the provider)."""
    metadata = _metadata(client)
    token = client.authorize_access_token(claims_options=_claims_options(metadata), leeway=LEEWAY)
    claims = token.get("userinfo")
    if not claims:
        raise OAuthError(description="the provider sent no ID token")
    claims = dict(claims)
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        extra = client.userinfo(token=token)
        if extra.get("sub") != claims["sub"]:
            raise OAuthError(description="userinfo is about another subject than the ID token")
        claims = {**extra, **claims}
    return claims, str(token.get("id_token") or "")


# Why a verified person is not let in (SsoRefused.reason), worded for them.
REFUSALS = {
    "no_email": lambda email: gettext(
        "The sign-in provider did not say which email address you have. Ask your admin."
    ),
    "unverified": lambda email: gettext(
        "The sign-in provider has not verified the email address %(email)s, so Coachline "
        "cannot match it to an account.",
        email=email,
    ),
    "unknown": lambda email: gettext(
        "There is no Coachline account for %(email)s. Ask your admin to create one.", email=email
    ),
    "deactivated": lambda email: gettext(
        "The Coachline account for %(email)s is deactivated. Ask your admin.", email=email
    ),
    "linked": lambda email: gettext(
        "The Coachline account for %(email)s is already linked to another account at the "
        "sign-in provider, so this one cannot sign in to it. Ask your admin.",
        email=email,
    ),
}


def _refused(reason: str, email: str = "", detail: str = "") -> tuple[str, int]:
    """A 403 page saying why, audited (with the technical detail, which the page does not show)."""
    db.session.rollback()  # nothing half-made (a provisioning that failed) is kept
    audit.record(
        None, "auth.sso_refused", None, reason=reason, email=email[:255], detail=detail[:200]
    )
    db.session.commit()
    if reason in REFUSALS:
        message = REFUSALS[reason](email)
    else:
        message = gettext(
            "Single sign-on failed: the answer of the sign-in provider could not be verified. "
            "Try again."
        )
    return render_template("auth/sso_refused.html", message=message), 403


def _not_set_up() -> tuple[str, int]:
    reason = gettext("Single sign-on is not set up.")
    return render_template("error.html", code=404, title=gettext("Not found"), reason=reason), 404


def _throttled(error: sign_in.Throttled) -> tuple[str, int, dict[str, str]]:
    minutes = -(-error.retry_after // 60)
    reason = gettext(
        "Too many sign-in attempts from this address. Try again in %(minutes)d minutes.",
        minutes=minutes,
    )
    page = render_template(
        "error.html", code=429, title=gettext("Too many requests"), reason=reason
    )
    return page, 429, {"Retry-After": str(error.retry_after)}


@bp.route("/login/sso/callback")
def sso_callback():
    """The provider's answer: verified, matched to a user by email (or provisioned, if the admin
    allows the domain), signed in like a password sign-in; refused with the reason otherwise."""
    if not configured(current_app):
        return _not_set_up()
    try:
        limits = sign_in.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
        sign_in.count_sso_attempt(request.remote_addr or "", limits)
        claims, id_token = _verified_claims(_client())
        user = sso_service.sign_in_user(claims, str(claims["iss"]), str(claims["sub"]))
    except sign_in.Throttled as error:
        return _throttled(error)
    except ProviderError as error:
        return _provider_down(error)
    except (OAuthError, JoseError, ValueError, IntegrityError, requests.RequestException) as error:
        # (IntegrityError: two first sign-ins of one new person at once; the second tries again)
        return _refused("invalid", detail=f"{type(error).__name__}: {error}")
    except sso_service.SsoRefused as refusal:
        return _refused(refusal.reason, refusal.email)
    return _signed_in(user, claims, id_token)


def _signed_in(user: Any, claims: dict[str, Any], id_token: str) -> Response:
    login_user(user)
    if id_token:
        session[ID_TOKEN_KEY] = id_token
    audit.record(user, "auth.login", user, method="sso", subject=str(claims["sub"])[:255])
    db.session.commit()
    flash(gettext("Signed in as %(email)s.", email=user.email), "info")
    return redirect(_safe_next(session.pop(NEXT_KEY, None)))


def provider_sign_out_url(id_token: str | None) -> str | None:
    """Where to send a browser that signed in by SSO once its Coachline session has ended: the
    provider's end_session_endpoint (OpenID Connect RP-Initiated Logout) with the session's ID
    token as id_token_hint, the client id, and the sign-in page as post_logout_redirect_uri
    (to register at the provider). None without an SSO sign-in, when SSO is off, or when the
    provider has no such endpoint or cannot be reached (the local sign-out stands alone)."""
    if not id_token or not configured(current_app):
        return None
    try:
        endpoint = _metadata(_client()).get("end_session_endpoint")
    except ProviderError as error:
        current_app.logger.warning("single sign-on sign-out: %s", error)
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    back = f"{base}{url_for('auth.login')}" if base else url_for("auth.login", _external=True)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": back,
            "client_id": current_app.config["OIDC_CLIENT_ID"],
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
