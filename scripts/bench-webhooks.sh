#!/usr/bin/env bash
# Load benchmark of the Jira webhook receiver (POST /webhooks/jira) with wrk, against a
# release `postroom serve` on loopback with the embedded SQLite store. Not part of the
# test suite; the results go to BENCHMARKS.md ("Jira webhook receiver").
#
#   cargo build --release -p postroom && scripts/bench-webhooks.sh
#
# Two runs on one server, each BENCH_DURATION (10s) with BENCH_THREADS (2) wrk threads
# and BENCH_CONNECTIONS (64) connections, after a 2 s warm-up:
#   unwanted  a signed comment_created delivery for a project no rule names: answered
#             200 "unwanted", nothing stored (checked: no row is added);
#   stored    a signed comment_created delivery the profile's rule wants, with a new
#             X-Atlassian-Webhook-Identifier per request: each one sealed, stored and
#             queued in one commit, answered 202 (checked: one row per answer).
# No Jira site is configured, so the queued jobs wait (with retries) instead of calling
# one: the receiver is what is measured. POSTROOM_BIN names another binary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${POSTROOM_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/postroom}
duration=${BENCH_DURATION:-10s}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-64}

[ -x "$bin" ] || { echo "no $bin: run cargo build --release -p postroom first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

dir=$(mktemp -d)
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

# The profile, the secret, and two deliveries the size of Jira Cloud's (~3 KB: the issue
# with its common fields, the comment), each with its signature.
python3 - "$dir" <<'PY'
import hashlib, hmac, json, pathlib, sys
d = pathlib.Path(sys.argv[1])
secret = "bench-webhook-secret"
(d / "webhook-secret").write_text(secret + "\n")
(d / "profile.json").write_text(json.dumps({
    "own": {"addresses": ["support@example.com"]},
    "default": {"project": "SUP", "issue_type": "Task"},
    "notifications": {"rules": [{"name": "customers", "projects": ["SUP"],
                                 "events": ["comment_added"], "to": ["reporter"]}]},
}))
def user(n):
    return {"self": f"https://acme.atlassian.net/rest/api/2/user?accountId=557058:{n}",
            "accountId": f"557058:{n}", "displayName": f"Agent {n}", "active": True,
            "timeZone": "Europe/Berlin", "accountType": "atlassian",
            "avatarUrls": {s: f"https://avatar.example/{n}/{s}" for s in ("48x48", "24x24", "16x16", "32x32")}}
def delivery(project):
    return {
        "timestamp": 1795000000000, "webhookEvent": "comment_created",
        "comment": {"id": "20931", "self": "https://acme.atlassian.net/rest/api/2/issue/104823/comment/20931",
                    "author": user("ada"), "updateAuthor": user("ada"),
                    "body": "Hello Frank, thanks for the details. The export log shows the font "
                            "subset error; we will deploy the fix tonight and tell you here.\n\n"
                            "-- \nAda Agent, Acme Support",
                    "created": "2026-11-23T09:12:44.000+0000", "updated": "2026-11-23T09:12:44.000+0000",
                    "jsdPublic": True},
        "issue": {"id": "104823", "self": "https://acme.atlassian.net/rest/api/2/issue/104823",
                  "key": f"{project}-4821",
                  "fields": {"summary": "Invoices for March show the wrong VAT rate",
                             "issuetype": {"id": "10004", "name": "Support request", "subtask": False},
                             "project": {"id": "10000", "key": project, "name": "Support",
                                         "projectTypeKey": "service_desk"},
                             "status": {"id": "10001", "name": "Waiting for customer",
                                        "statusCategory": {"id": 4, "key": "indeterminate"}},
                             "priority": {"id": "2", "name": "High"},
                             "assignee": user("ada"), "reporter": user("frank"),
                             "labels": ["billing", "vat"], "created": "2026-11-20T09:12:44.000+0000",
                             "updated": "2026-11-23T09:12:44.000+0000"}},
    }
for name, project in (("stored", "SUP"), ("unwanted", "OTH")):
    body = json.dumps(delivery(project)).encode()
    (d / f"{name}.json").write_bytes(body)
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    (d / f"{name}.sig").write_text("sha256=" + sig)
PY

cat >"$dir/postroom.toml" <<'TOML'
[inbound]
profile = "profile.json"

[webhooks]
secret_file = "webhook-secret"
TOML

(cd "$dir" && exec env -u POSTROOM_CONFIG "$bin" serve --http 127.0.0.1:0 2>"$dir/serve.log") &
serve_pid=$!
for _ in $(seq 1 100); do
  grep -q "serving on" "$dir/serve.log" && break
  sleep 0.2
done
base=$(grep -o 'serving on http://[0-9.:]*' "$dir/serve.log" | head -n 1 | sed 's/serving on //')
[ -n "$base" ] || { cat "$dir/serve.log" >&2; exit 1; }

stored_rows() {
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0])' \
    "$dir/data/postroom.db"
}

# One delivery of each by curl first: the outcome the run is meant to measure.
for name in unwanted stored; do
  answer=$(curl -s -X POST "$base/webhooks/jira" -H 'content-type: application/json' \
    -H "x-hub-signature: $(cat "$dir/$name.sig")" -H "x-atlassian-webhook-identifier: probe-$name" \
    --data-binary "@$dir/$name.json")
  case "$answer" in
    *"\"$name\""*) ;;
    *) echo "a $name delivery was answered $answer" >&2; exit 1 ;;
  esac
done

run() {
  local name=$1 unique=$2 length=$3
  BENCH_BODY="$dir/$name.json" BENCH_SIGNATURE=$(cat "$dir/$name.sig") BENCH_UNIQUE=$unique \
    wrk -t "$threads" -c "$connections" -d "$length" --latency \
    -s "$root/scripts/bench/webhook.lua" "$base/webhooks/jira"
}

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in unwanted stored; do
  unique=0
  [ "$name" = stored ] && unique=1
  run "$name" "$unique" 2s >/dev/null
  before=$(stored_rows)
  echo "== $name: wrk -t $threads -c $connections -d $duration --latency (body $(wc -c <"$dir/$name.json") bytes)"
  run "$name" "$unique" "$duration"
  echo "rows added to webhook_events: $(($(stored_rows) - before))"
done
