#!/usr/bin/env python3
"""A small OAuth 2.0 identity provider for the tests, playing Google and Microsoft 365,
and the token introspection (RFC 7662) of the private test Dovecot.

- `GET /{google,microsoft}/authorize`: consent is given at once (no page): the browser goes
  back to `redirect_uri` with a code and the `state`. The account is `login_hint`, else
  alice@example.test. The PKCE challenge (S256) is kept with the code.
- `POST /{google,microsoft}/token`: `authorization_code` (the verifier must match the
  challenge, the redirect URI the one authorized) or `refresh_token`. Each answer mints an
  access token and writes `TOKEN USERNAME` into the tokens file, which Dovecot's XOAUTH2
  checks at `/introspect`. Microsoft's refresh answer rotates the refresh token (the old one
  stays valid, as Microsoft's does until it expires); Google's keeps it. The client must be
  `postroom-test-client` with the secret `postroom-test-secret`.
- `POST /introspect`: Dovecot's oauth2 passdb asks whether a token is active; the tokens
  file is read on every request, so tokens the tests write count at once.
- `GET /_state`: how many refreshes each provider answered (for tests).

Usage: test-idp.py PORT TOKENS_FILE
"""
import base64
import hashlib
import json
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "postroom-test-client"
CLIENT_SECRET = "postroom-test-secret"
DEFAULT_USER = "alice@example.test"


def active_tokens(path):
    tokens = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    tokens[parts[0]] = parts[1]
    except FileNotFoundError:
        pass
    return tokens


class Provider(BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        if url.path == "/_state":
            with self.server.lock:
                return self.answer(200, dict(self.server.refreshes))
        if len(parts) != 2 or parts[0] not in ("google", "microsoft") or parts[1] != "authorize":
            return self.answer(404, {"error": "not_found"})
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return self.answer(400, {"error": "invalid_request"})
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return self.answer(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
        code = secrets.token_urlsafe(24)
        with self.server.lock:
            self.server.codes[code] = {
                "provider": parts[0],
                "challenge": query["code_challenge"],
                "redirect_uri": query.get("redirect_uri", ""),
                "user": query.get("login_hint") or DEFAULT_USER,
                "scope": query.get("scope", ""),
            }
        target = query.get("redirect_uri", "")
        sep = "&" if "?" in target else "?"
        location = target + sep + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        path = self.path.split("?")[0]
        form = self.form()
        if path == "/introspect":
            user = active_tokens(self.server.tokens_file).get(form.get("token", ""))
            body = {"active": "true", "username": user} if user else {"active": "false"}
            return self.answer(200, body)
        parts = path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in ("google", "microsoft") or parts[1] != "token":
            return self.answer(404, {"error": "not_found"})
        provider = parts[0]
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self.answer(401, {"error": "invalid_client"})
        grant = form.get("grant_type")
        with self.server.lock:
            if grant == "authorization_code":
                held = self.server.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if (held is None or held["provider"] != provider or held["challenge"] != digest
                        or held["redirect_uri"] != form.get("redirect_uri")):
                    return self.answer(400, {"error": "invalid_grant"})
                user = held["user"]
                refresh = secrets.token_urlsafe(24)
                self.server.refresh_tokens[refresh] = (provider, user)
            elif grant == "refresh_token":
                held = self.server.refresh_tokens.get(form.get("refresh_token", ""))
                if held is None or held[0] != provider:
                    return self.answer(400, {"error": "invalid_grant"})
                user = held[1]
                self.server.refreshes[provider] = self.server.refreshes.get(provider, 0) + 1
                refresh = None
                if provider == "microsoft":
                    refresh = secrets.token_urlsafe(24)
                    self.server.refresh_tokens[refresh] = (provider, user)
            else:
                return self.answer(400, {"error": "unsupported_grant_type"})
            access = "at-" + secrets.token_urlsafe(24)
            with open(self.server.tokens_file, "a", encoding="utf-8") as f:
                f.write(f"{access} {user}\n")
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}
        if refresh:
            body["refresh_token"] = refresh
        return self.answer(200, body)

    def log_message(self, fmt, *args):
        pass


def main():
    port, tokens_file = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), Provider)
    server.tokens_file = tokens_file
    server.lock = threading.Lock()
    server.codes = {}
    server.refresh_tokens = {}
    server.refreshes = {}
    server.serve_forever()


if __name__ == "__main__":
    main()
