"""A small but real OpenID Connect provider for tests: authorization-code flow over HTTP,
RS256-signed id_tokens (PyJWT + cryptography), a JWKS endpoint and userinfo.

The person "signing in" is whoever the test sets as ``provider.account`` (email and
whether the provider verified it).
"""
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "kgiapp-test", "s3cret-for-tests"


class Provider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.account = {"email": "someone@example.com", "email_verified": True}
        self.codes, self.tokens = {}, {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = (dict(provider.account), query.get("nonce"),
                                            query["redirect_uri"])
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": query["state"]}))
                    self.end_headers()
                elif url.path == "/jwks":
                    self._json(200, provider.jwks())
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    account = provider.tokens.get(token)
                    if account is None:
                        return self._json(401, {"error": "invalid_token"})
                    self._json(200, {"sub": account["email"], **account})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                if urlparse(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID,
                                                                          CLIENT_SECRET):
                    return self._json(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code"), None)  # a code works once
                if grant is None or grant[2] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                account, nonce, _redirect = grant
                now = int(time.time())
                id_token = jwt.encode(
                    {"iss": provider.url, "sub": account["email"], "aud": CLIENT_ID,
                     "iat": now, "exp": now + 300, "nonce": nonce, **account},
                    provider.key, algorithm="RS256", headers={"kid": provider.kid})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = account
                self._json(200, {"access_token": access, "token_type": "Bearer",
                                 "id_token": id_token, "expires_in": 300})

        return Handler


@pytest.fixture
def oidc_provider(settings):
    """A running provider, and kgiapp's settings pointing at it (SSO on)."""
    provider = Provider()
    provider.start()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.url + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.url + "/token"
    settings.OIDC_OP_USER_ENDPOINT = provider.url + "/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = provider.url + "/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend",
                                        "kgiapp.sso.InvitationOidcBackend"]
    try:
        yield provider
    finally:
        provider.stop()
