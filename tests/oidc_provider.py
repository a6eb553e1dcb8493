"""A real OpenID Connect provider for the single sign-on tests, built on Authlib's server
components (the authorization-code grant with PKCE and OpenID Connect ID tokens) in a Flask app
of its own, served on a loopback port in a thread. It has discovery, authorize (consent given at
once for the user named by `login_as`), token, JWKS, userinfo and end-session (RP-initiated
logout: the id_token_hint verified, the post_logout_redirect_uri checked against the registered
ones) endpoints.

To test the client's refusals the provider can misbehave the way an attacker or a broken
provider would: `id_token_claims` overrides claims of the ID token it issues (an expired one, a
wrong audience, another nonce), `signing_key` signs it with a key that is not in its JWKS (a
forgery), `unsigned` sends it with alg "none".
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Error, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "coachline"
CLIENT_SECRET = "client-secret-for-the-tests"
KID = "provider-key-1"
# RSA key generation takes a moment; the provider's key and a foreign one are made once.
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": KID})
FOREIGN_KEY = RSAKey.generate_key(2048, parameters={"kid": KID})  # same kid, not in the JWKS


@dataclass
class Person:
    """Someone with an account at the provider."""

    email: str
    name: str = "Test Person"
    email_verified: bool = True
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Client(ClientMixin):
    """The one registered client, Coachline: confidential (client_secret_basic), or public (no
    secret; PKCE is its only proof)."""

    def __init__(self, redirect_uris: list[str], public: bool) -> None:
        self.redirect_uris = redirect_uris
        self.public = public

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint != "token":
            return True
        return method == ("none" if self.public else "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "none"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        provider: Provider = self.server.provider
        provider.codes[code] = Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            person=request.user,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Any) -> Code | None:
        item = self.server.provider.codes.get(code)
        return item if item and item.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> Person:
        return authorization_code.person


def claims_of(person: Person, scope: str, *, with_email: bool = True) -> UserInfo:
    info = UserInfo(sub=person.sub)
    if "profile" in scope.split():
        info["name"] = person.name
    if "email" in scope.split() and with_email:
        info["email"] = person.email
        info["email_verified"] = person.email_verified
    return info


class IDTokens(OpenIDCode):
    """ID tokens signed with the provider's key (RS256, its kid in the header)."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def resolve_client_private_key(self, client: Any) -> RSAKey:
        return PROVIDER_KEY

    def get_client_algorithm(self, client: Any) -> str:
        return "RS256"

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def get_encode_header(self, client: Any) -> dict[str, str]:
        return {"alg": "RS256", "kid": KID}

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return nonce in self.provider.nonces_seen

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return claims_of(user, scope, with_email=not self.provider.email_in_userinfo_only)


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Provider:
    """The provider's state, which tests read and change while it runs."""

    def __init__(self) -> None:
        self.issuer = ""
        self.people: dict[str, Person] = {}
        self.login_as = ""
        self.redirect_uris: list[str] = []
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, tuple[Person, str]] = {}
        self.nonces_seen: set[str] = set()
        self.authorize_requests: list[dict[str, str]] = []
        # RP-initiated logout: where the client may send the browser back, and what was asked
        self.post_logout_redirect_uris: list[str] = []
        self.end_session_requests: list[dict[str, str]] = []
        self.ended_subjects: list[str] = []  # whose session here a valid hint ended
        self.end_session = True  # announce end_session_endpoint in the discovery document
        # misbehaviour, for the refusal tests
        self.id_token_claims: dict[str, Any] = {}
        self.signing_key: RSAKey | None = None
        self.unsigned = False
        self.email_in_userinfo_only = False
        self.public_client = False

    def add(self, email: str, **kwargs: Any) -> Person:
        """A person with an account here; the next sign-in is theirs."""
        person = Person(email=email, **kwargs)
        self.people[email] = person
        self.login_as = email
        return person

    def _tampered(self, id_token: str) -> str:
        """The ID token as the test wants it: claims overridden (None removes one), re-signed
        with another key, or not signed at all."""
        claims = dict(jwt.decode(id_token, PROVIDER_KEY).claims)
        claims.update(self.id_token_claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.unsigned:
            return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
        key = self.signing_key or PROVIDER_KEY
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)

    def app(self) -> Flask:
        app = Flask("oidc-provider")
        server = AuthorizationServer(app, query_client=self._client, save_token=self._save_token)
        server.provider = self  # type: ignore[attr-defined]
        server.register_grant(CodeGrant, [CodeChallenge(required=True), IDTokens(self)])

        @app.get("/.well-known/openid-configuration")
        def discovery():  # type: ignore[no-untyped-def]
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                userinfo_endpoint=f"{self.issuer}/userinfo",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
                scopes_supported=["openid", "email", "profile"],
                **({"end_session_endpoint": f"{self.issuer}/end-session"}
                   if self.end_session else {}),
            )

        @app.get("/end-session")
        def end_session():  # type: ignore[no-untyped-def]
            self.end_session_requests.append(request.args.to_dict())
            return self._end_session(request.args.to_dict())

        @app.get("/jwks")
        def jwks():  # type: ignore[no-untyped-def]
            return jsonify(keys=[PROVIDER_KEY.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():  # type: ignore[no-untyped-def]
            self.authorize_requests.append(request.args.to_dict())
            person = self.people.get(self.login_as)
            try:
                grant = server.get_consent_grant(end_user=person)
            except OAuth2Error as error:
                return jsonify(dict(error.get_body())), error.status_code
            response = server.create_authorization_response(grant_user=person, grant=grant)
            if nonce := request.args.get("nonce"):
                self.nonces_seen.add(nonce)  # a second request with it is a replay
            return response

        @app.post("/token")
        def token():  # type: ignore[no-untyped-def]
            response = server.create_token_response()
            body = response.get_json()
            if response.status_code == 200 and "id_token" in body:
                body["id_token"] = self._tampered(body["id_token"])
                response.set_data(json.dumps(body))
            return response

        @app.get("/userinfo")
        def userinfo():  # type: ignore[no-untyped-def]
            bearer = request.headers.get("Authorization", "")
            found = self.tokens.get(bearer.removeprefix("Bearer "))
            if not bearer.startswith("Bearer ") or found is None:
                return jsonify(error="invalid_token"), 401
            person, scope = found
            return jsonify(claims_of(person, scope))

        return app

    def _end_session(self, args: dict[str, str]) -> Any:
        """OpenID Connect RP-Initiated Logout 1.0: the hint must be an ID token this provider
        signed for this client; the browser goes back only to a registered URI."""
        try:
            token = jwt.decode(args.get("id_token_hint", ""), PROVIDER_KEY)
        except (JoseError, ValueError):
            return jsonify(error="invalid_request", error_description="bad id_token_hint"), 400
        claims = token.claims
        if claims.get("iss") != self.issuer or CLIENT_ID not in (claims.get("aud") or []):
            return jsonify(error="invalid_request", error_description="not our token"), 400
        if args.get("client_id", CLIENT_ID) != CLIENT_ID:
            return jsonify(error="invalid_request", error_description="another client"), 400
        back = args.get("post_logout_redirect_uri")
        if back is not None and back not in self.post_logout_redirect_uris:
            return jsonify(error="invalid_request", error_description="unregistered URI"), 400
        self.ended_subjects.append(str(claims["sub"]))
        if back is None:
            return "You are signed out of the provider.", 200
        return redirect(back + (f"?state={args['state']}" if args.get("state") else ""))

    def _client(self, client_id: str) -> Client | None:
        return Client(self.redirect_uris, self.public_client) if client_id == CLIENT_ID else None

    def _save_token(self, token: dict[str, Any], request: Any) -> None:
        self.tokens[token["access_token"]] = (request.user, token.get("scope", ""))


@contextmanager
def serve_provider() -> Iterator[Provider]:
    """A Provider served on a free loopback port until the block ends."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
