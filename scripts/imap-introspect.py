#!/usr/bin/env python3
"""OAuth 2.0 token introspection (RFC 7662) for the private test Dovecot.

Dovecot's oauth2 passdb posts each XOAUTH2 access token here. A token is active when a
line `TOKEN USERNAME` is in the tokens file, which the tests write (they play the token
endpoint that mints access tokens). The file is read on every request, so tokens a test
adds or removes count at once, without restarting Dovecot or this server.

Usage: imap-introspect.py PORT TOKENS_FILE
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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


class Introspect(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        user = active_tokens(self.server.tokens_file).get(token)
        body = {"active": "true", "username": user} if user else {"active": "false"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def main():
    port, tokens_file = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), Introspect)
    server.tokens_file = tokens_file
    server.serve_forever()


if __name__ == "__main__":
    main()
