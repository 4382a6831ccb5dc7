#!/bin/sh
# Self-test for verify.mjs against fixture.mjs (no Rust server needed).
# Exits non-zero on any mismatch.
set -u
cd "$(dirname "$0")"

[ -d node_modules ] || { echo "selftest: run 'npm ci' first" >&2; exit 1; }

tmp=$(mktemp -d)
fixture_pid=
cleanup() {
  [ -n "$fixture_pid" ] && kill "$fixture_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

node fixture.mjs "$tmp" &
fixture_pid=$!

i=0
while [ ! -s "$tmp/base-url" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$fixture_pid" 2>/dev/null; then
    echo "selftest: fixture did not start" >&2
    exit 1
  fi
  sleep 0.1
done
base=$(cat "$tmp/base-url")
echo "fixture at $base"

fail=0
# check <label> <json> <field> <expected>
check() {
  got=$(printf '%s' "$2" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const v = JSON.parse(s)[process.argv[1]];
      process.stdout.write(JSON.stringify(v === undefined ? "<missing>" : v));
    });' "$3")
  if [ "$got" = "$4" ]; then
    echo "  ok   $1: $3 = $got"
  else
    echo "  FAIL $1: $3 = $got, expected $4"
    fail=1
  fi
}

run() { # run <label> <args...>; prints output, sets $out and $rc
  label=$1; shift
  out=$(node verify.mjs "$@")
  rc=$?
  echo "$label (exit $rc): $out"
  if [ $rc -ne 0 ]; then echo "  FAIL $label: exit $rc, expected 0"; fail=1; fi
}

run active "$base" "$tmp/active.jwt"
check active "$out" verified true
check active "$out" jose true
check active "$out" revoked false
check active "$out" name '"Fixture Badge"'
check active "$out" errors '[]'

run revoked "$base" "$tmp/revoked.jwt"
check revoked "$out" verified true
check revoked "$out" jose true
check revoked "$out" revoked true

run tampered "$base" "$tmp/tampered.jwt"
check tampered "$out" verified false
check tampered "$out" jose false

run vc-claim "$base" "$tmp/vc-claim.jwt"
check vc-claim "$out" verified true
check vc-claim "$out" jose true
check vc-claim "$out" revoked false
check vc-claim "$out" name '"Fixture Badge"'

out=$(node verify.mjs "$base" - < "$tmp/active.jwt"); rc=$?
echo "stdin (exit $rc): $out"
[ $rc -eq 0 ] || { echo "  FAIL stdin: exit $rc"; fail=1; }
check stdin "$out" verified true

# Wrong server: the issuer DID is not the server at base-url.
run wrong-port "http://localhost:1" "$tmp/active.jwt"
check wrong-port "$out" verified false

# Usage errors exit 2.
node verify.mjs "https://example.com" "$tmp/active.jwt" >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then echo "  ok   non-loopback base-url exits 2"; else echo "  FAIL non-loopback base-url: exit $rc, expected 2"; fail=1; fi
node verify.mjs "$base" >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then echo "  ok   missing argument exits 2"; else echo "  FAIL missing argument: exit $rc, expected 2"; fail=1; fi

if [ $fail -ne 0 ]; then
  echo "selftest: FAILED"
  exit 1
fi
echo "selftest: PASSED"
