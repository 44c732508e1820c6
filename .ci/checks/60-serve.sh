#!/usr/bin/env bash
# mlp serve: the draw-a-digit page in headless Chromium (a Go test speaking
# the DevTools protocol), the server binary end to end (predict, SIGHUP
# reload, SIGTERM), and the loopback load test with a CPU hog beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/install.sh
need_deb chromium

work=$(mktemp -d)
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "60-serve: $*" >&2; exit 1; }
data=()
if [ -n "${MNIST_DIR:-}" ]; then data=(-data "$MNIST_DIR"); fi

go build -o "$work/mlp" ./cmd/mlp
go build -o "$work/load" ./bench/load
echo "--- mlp train (3 epochs) for the page"
"$work/mlp" train "${data[@]}" -epochs 3 -out "$work/m.gmlp" -quiet

echo "--- browser: ten MNIST test digits drawn stroke by stroke on the page"
GOMLP_BROWSER=$(command -v chromium) GOMLP_SERVE_MODEL="$work/m.gmlp" GOMLP_SCREENSHOT="$work/serve.png" \
	go test -count=1 -run '^TestBrowserDrawsDigits$' -v ./serve | tee "$work/browser.txt"
grep -q -- '--- PASS: TestBrowserDrawsDigits' "$work/browser.txt" || fail "the browser test did not run and pass"
[ -s "$work/serve.png" ] || fail "no screenshot"

echo "--- mlp serve: start, predict, reload on SIGHUP, stop on SIGTERM"
"$work/mlp" serve -model "$work/m.gmlp" -addr 127.0.0.1:0 > "$work/serve.txt" 2>&1 &
server=$!
for _ in $(seq 300); do grep -q 'on http://' "$work/serve.txt" && break; sleep 0.1; done
url=$(sed -n 's|.* on \(http://127\.0\.0\.1:[0-9]*\)/$|\1|p' "$work/serve.txt")
[ -n "$url" ] || fail "mlp serve did not start: $(cat "$work/serve.txt")"
"$work/load" -url "$url" -clients 8 -duration 1s -hog 0 | tee "$work/load1.txt"
kill -HUP "$server"
for _ in $(seq 100); do grep -q '^reloaded' "$work/serve.txt" && break; sleep 0.1; done
grep -q '^reloaded' "$work/serve.txt" || fail "no reload on SIGHUP: $(cat "$work/serve.txt")"
kill -TERM "$server"
rc=0; wait "$server" || rc=$?
server=
[ "$rc" = 0 ] && grep -q '^stopped$' "$work/serve.txt" || fail "mlp serve exited $rc on SIGTERM: $(cat "$work/serve.txt")"

echo "--- load test: 1, 8, 64 clients for 2 s each, one CPU hog thread"
"$work/load" -model "$work/m.gmlp" "${data[@]}" -clients 1,8,64 -duration 2s -hog 1
