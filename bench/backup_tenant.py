#!/usr/bin/env python3
"""Backup and restore of a big tenant: time and size (BENCHMARKS.md, "Backups").

Builds a site in a scratch directory with `postroom init` and `migrate`, then gives its tenant
`default` 100,000 audit rows (an intake record and a processing result with a 2 KiB sealed
report each, as the audit keeps them) and 1 GiB of blobs (10,240 raw mails of 100 KiB of
random bytes, which is what sealed blobs look like to a backup: it copies them as they are
and never decrypts them). Then times `postroom backup create`, `backup verify` and
`backup restore` into a fresh directory holding only the master key and the key vault, and
prints the sizes. SQLite only; the database is filled directly (sqlite3 module), since the
backup reads it as bytes.

    python3 bench/backup_tenant.py --postroom target/release/postroom [--rows N] [--blob-mib N]
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time


def run(postroom, cwd, *args):
    started = time.monotonic()
    out = subprocess.run([postroom, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return time.monotonic() - started, out.stdout


def du(path):
    if os.path.isfile(path):
        return os.path.getsize(path) + sum(
            os.path.getsize(path + s) for s in ("-wal",) if os.path.exists(path + s))
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def fill(site, rows, blob_mib):
    db = sqlite3.connect(os.path.join(site, "data", "postroom.db"))
    now = int(time.time() * 1000)
    db.execute(
        "INSERT OR IGNORE INTO tenants (id, created_at_ms, updated_at_ms) VALUES ('default', ?, ?)",
        (now, now),
    )
    report = os.urandom(2048)
    db.executemany(
        "INSERT INTO intake (id, tenant_id, mailbox, source, dedupe_hash, size, status, "
        "received_at_ms) VALUES (?, 'default', 'upload', 'upload', ?, 102400, 'queued', ?)",
        ((f"m{i:08d}", f"{i:064x}", now - i) for i in range(rows)),
    )
    db.executemany(
        "INSERT INTO inbound_results (tenant_id, intake_id, status, issue_key, sender_hash, "
        "report, processed_at_ms) VALUES ('default', ?, 'created', ?, ?, ?, ?)",
        ((f"m{i:08d}", f"SUP-{i}", f"addr:{i:016x}", report, now - i) for i in range(rows)),
    )
    db.commit()
    db.close()
    inbound = os.path.join(site, "data", "blobs", "default", "inbound")
    os.makedirs(inbound, exist_ok=True)
    for i in range(blob_mib * 10):
        with open(os.path.join(inbound, f"m{i:08d}"), "wb") as f:
            f.write(os.urandom(100 * 1024 + 29))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postroom", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--blob-mib", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="leave the scratch directory")
    args = parser.parse_args()
    postroom = os.path.abspath(args.postroom)
    scratch = tempfile.mkdtemp(prefix="postroom-backup-bench-", dir=os.environ.get("BENCH_DIR"))
    site, fresh, backups = (os.path.join(scratch, n) for n in ("site", "fresh", "backups"))
    for d in (site, fresh, backups):
        os.makedirs(d)
    try:
        run(postroom, site, "init")
        run(postroom, site, "migrate")
        started = time.monotonic()
        fill(site, args.rows, args.blob_mib)
        print(f"filled in {time.monotonic() - started:.1f} s: {args.rows} audit rows, "
              f"{args.blob_mib} MiB of blobs; database {du(os.path.join(site, 'data', 'postroom.db')) / 2**20:.1f} MiB, "
              f"blobs {du(os.path.join(site, 'data', 'blobs')) / 2**20:.1f} MiB")
        took, out = run(postroom, site, "backup", "create", "--to", backups)
        backup_id = out.split()[1]
        print(f"backup create: {took:.1f} s, {du(backups) / 2**20:.1f} MiB written")
        print("  " + out.strip().replace("\n", "\n  "))
        took, _ = run(postroom, site, "backup", "verify", backup_id, "--from", backups)
        print(f"backup verify: {took:.1f} s")
        os.makedirs(os.path.join(fresh, "data"))
        shutil.copy(os.path.join(site, "data", "master.key"), os.path.join(fresh, "data"))
        os.makedirs(os.path.join(site, "data", "keys"), exist_ok=True)
        shutil.copytree(os.path.join(site, "data", "keys"), os.path.join(fresh, "data", "keys"))
        took, _ = run(postroom, fresh, "backup", "restore", backup_id, "--from", backups)
        print(f"backup restore: {took:.1f} s, restored data {du(os.path.join(fresh, 'data')) / 2**20:.1f} MiB")
    finally:
        if args.keep:
            print(f"left in {scratch}")
        else:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
