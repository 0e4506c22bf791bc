#!/usr/bin/env python3
"""A real SMTP peer for postroom's sender tests and benchmark (aiosmtpd).

Stores every accepted message byte for byte (the DATA as received, dot-unstuffed) in a
Maildir, with the envelope beside it in `<maildir>/envelopes/<name>.json`, because the
tests compare what arrived with what was sent. Recipients whose local part starts with a
marker get scripted answers so the sender's error handling meets real replies:

  tempfail...  -> 451 4.3.0 at RCPT TO      reject...  -> 550 5.1.1 at RCPT TO
  hangup...    -> message accepted, then the server closes the connection

Prints `listening 127.0.0.1:PORT` on stdout once it accepts connections, then runs until
killed. Needs `pip install aiosmtpd` (or Debian's python3-aiosmtpd).
"""
import argparse
import asyncio
import json
import logging
import os
import socket
import ssl
import sys
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class MaildirHandler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = 0
        for sub in ("tmp", "new", "cur", "envelopes"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 Try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.counter += 1
        name = f"{time.time_ns()}.{os.getpid()}_{self.counter}.peer"
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        with open(os.path.join(self.maildir, "envelopes", name + ".json"), "w") as f:
            json.dump(meta, f)
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        if any(r.split("@", 1)[0].lower().startswith("hangup") for r in envelope.rcpt_tos):
            asyncio.get_running_loop().call_later(0.01, server.transport.close)
        return f"250 2.0.0 Ok: queued as {name}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maildir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--auth", help="USER:PASSWORD that AUTH must present (required when set)")
    p.add_argument("--cert", help="PEM certificate: offer STARTTLS (or implicit TLS)")
    p.add_argument("--key", help="PEM key for --cert")
    p.add_argument("--implicit-tls", action="store_true")
    args = p.parse_args()
    # AUTH without TLS is what the tests want; aiosmtpd warns about it on stderr.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False: aiosmtpd then answers 535 itself (with True it stays silent).
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=False)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.implicit_tls:
            kwargs["ssl_context"] = context
        else:
            kwargs["tls_context"] = context
    port = args.port or free_port()
    controller = Controller(
        MaildirHandler(args.maildir), hostname="127.0.0.1", port=port, **kwargs
    )
    controller.start()
    print(f"listening 127.0.0.1:{port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
