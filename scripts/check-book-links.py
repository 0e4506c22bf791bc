#!/usr/bin/env python3
"""Checks the internal links of the built manual (mdBook's HTML output).

Every relative href or src of every page must name a file of the book, and every #anchor
an id in the page it points into. Links with a scheme (https:, mailto:) or starting with
// leave the book and are not checked: nothing outside can be reached from CI.

Usage: scripts/check-book-links.py BOOK_DIR
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

# mdBook's 404 page resolves its links against the site's root, not its own place.
SKIPPED_PAGES = {"404.html"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if name in ("href", "src"):
                self.links.append(value)


def parse(path, cache={}):
    if path not in cache:
        page = Page()
        with open(path, encoding="utf-8", errors="replace") as f:
            page.feed(f.read())
        cache[path] = page
    return cache[path]


def check(book):
    problems = []
    pages = 0
    for root, _, files in os.walk(book):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), book)
            if not name.endswith(".html") or rel in SKIPPED_PAGES:
                continue
            pages += 1
            page_path = os.path.join(root, name)
            for link in parse(page_path).links:
                parts = urlsplit(link)
                if parts.scheme or link.startswith("//") or link in ("", "#"):
                    continue
                target = page_path
                if parts.path:
                    target = os.path.normpath(os.path.join(root, unquote(parts.path)))
                    if os.path.isdir(target):
                        target = os.path.join(target, "index.html")
                if not os.path.abspath(target).startswith(book + os.sep):
                    problems.append(f"{rel}: {link}: leaves the book")
                    continue
                if not os.path.isfile(target):
                    problems.append(f"{rel}: {link}: no such file")
                    continue
                anchor = unquote(parts.fragment)
                if anchor and target.endswith(".html") and anchor not in parse(target).ids:
                    problems.append(
                        f"{rel}: {link}: no id {anchor!r} in {os.path.relpath(target, book)}"
                    )
    return pages, problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    book = os.path.abspath(sys.argv[1])
    pages, problems = check(book)
    problems = sorted(set(problems))
    for problem in problems:
        print(f"broken link: {problem}", file=sys.stderr)
    if pages == 0:
        print(f"no pages in {book}", file=sys.stderr)
        return 1
    print(f"{pages} pages, {len(problems)} broken internal link(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
