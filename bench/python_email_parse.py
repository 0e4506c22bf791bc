#!/usr/bin/env python3
"""Baseline for BENCHMARKS.md: Python's standard `email` package on the same corpus.

Does the same work per message as postroom's `read_mail` benchmark: parse the raw bytes
held in memory, pick the text body (text/plain, else HTML converted to text), convert the
HTML alternative to text, and walk the attachments with their decoded payloads. HTML to
text uses the standard library's html.parser, so the comparison stays stdlib-only.

Usage: python3 bench/python_email_parse.py [--seconds N]
Corpus: $POSTROOM_SHARED_DIR/testdata/*/emails/*.eml (default ../shared from the repo
root) plus crates/core/tests/golden/*.eml.
"""

import argparse
import email
import email.policy
import html.parser
import os
import pathlib
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


class _Text(html.parser.HTMLParser):
    """Minimal HTML to text: block tags become line breaks, script/style are dropped."""

    BLOCK = {"p", "div", "br", "li", "tr", "blockquote", "h1", "h2", "h3", "table", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(markup):
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out).strip()


def read_one(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    _ = (msg["From"], msg["Subject"], msg["Message-ID"], msg["Date"])
    plain = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    html_text = html_to_text(html_part.get_content()) if html_part is not None else None
    body = plain.get_content() if plain is not None else (html_text or "")
    size = 0
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        size += len(payload) if payload else 0
    return len(body) + size


def corpus():
    shared = pathlib.Path(os.environ.get("POSTROOM_SHARED_DIR", REPO.parent / "shared"))
    files = []
    for name in ("sisimai-bounces", "talon-quotations"):
        files += sorted((shared / "testdata" / name / "emails").glob("*.eml"))
    files += sorted((REPO / "crates/core/tests/golden").glob("*.eml"))
    return [f.read_bytes() for f in files]


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--seconds", type=float, default=10.0)
    seconds = args.parse_args().seconds
    messages = corpus()
    total_bytes = sum(len(m) for m in messages)
    failures = 0
    for raw in messages:  # warm-up, and count what the stdlib cannot handle
        try:
            read_one(raw)
        except Exception:  # noqa: BLE001 - a baseline counts failures, it does not stop
            failures += 1
    rounds = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for raw in messages:
            try:
                read_one(raw)
            except Exception:  # noqa: BLE001
                pass
        rounds += 1
    elapsed = time.perf_counter() - start
    per_sec = rounds * len(messages) / elapsed
    mb_per_sec = rounds * total_bytes / elapsed / (1024 * 1024)
    print(f"corpus: {len(messages)} messages, {total_bytes} bytes, {failures} raised errors")
    print(f"python email (policy.default): {per_sec:,.0f} messages/s, {mb_per_sec:.2f} MiB/s "
          f"({rounds} rounds in {elapsed:.1f} s, one core)")


if __name__ == "__main__":
    main()
