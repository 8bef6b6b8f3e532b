#!/usr/bin/env bash
# make bench-compare: Herald beside nats-server, redis-server and mosquitto.
#
# Installs the peers from Debian when they are missing, builds heraldd and
# herald, starts every broker on a private loopback port with nothing written
# to disk, runs every workload of `herald bench` (and fan-out to 100), stops
# everything on exit, and writes tools/bench/RESULTS.md and
# tools/bench/fanout.svg (and the raw figures, tools/bench/figures.jsonl).
#
# Environment: BENCH_FLAGS adds flags to every `herald bench` run (e.g.
# "--rounds 3 --duration 2s" for a quicker look); GO is the go command.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/tools/bench"
GO=${GO:-go}
BENCH_FLAGS=${BENCH_FLAGS:-}
WORK=$(mktemp -d)
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench-compare: $*" >&2; }

# Debian puts nats-server and mosquitto in /usr/sbin.
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v mosquitto >/dev/null || missing+=(mosquitto)
if ((${#missing[@]})); then
	log "installing ${missing[*]} from Debian"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "building heraldd and herald"
make -C "$ROOT" build GO="$GO" >/dev/null

# Idle-connection figures need thousands of descriptors, in the brokers and
# in herald.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# free_port prints the first port from $1 on that nothing accepts on.
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

# wait_port waits up to 10 s for a listener on port $1.
wait_port() {
	for _ in $(seq 100); do
		if (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	log "nothing listens on 127.0.0.1:$1 (see $WORK/*.log)"
	cat "$WORK"/*.log >&2 || true
	return 1
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
HP=$(free_port 27420)
NP=$(free_port 24222)
RP=$(free_port 26379)
MP=$(free_port 21883)

"$ROOT/bin/heraldd" --addr "127.0.0.1:$HP" --log-level warn >"$WORK/heraldd.log" 2>&1 &
PIDS+=($!)
# No JetStream: nothing is stored.
nats-server -a 127.0.0.1 -p "$NP" >"$WORK/nats.log" 2>&1 &
PIDS+=($!)
# No RDB snapshots, no AOF.
redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
cat >"$WORK/mosquitto.conf" <<CONF
listener $MP 127.0.0.1
allow_anonymous true
persistence false
max_connections -1
CONF
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
for p in "$HP" "$NP" "$RP" "$MP"; do wait_port "$p"; done

TARGETS="--url herald://127.0.0.1:$HP --compare nats://127.0.0.1:$NP,redis://127.0.0.1:$RP,mqtt://127.0.0.1:$MP --baseline"
CMD1="bin/herald bench all $TARGETS --json $BENCH_FLAGS"
CMD2="bin/herald bench fanout --subscribers 100 $TARGETS --json $BENCH_FLAGS"
cd "$ROOT"
log "running: $CMD1"
# shellcheck disable=SC2086
$CMD1 >"$WORK/all.json"
log "running: $CMD2"
# shellcheck disable=SC2086
$CMD2 >"$WORK/fanout100.json"

fact() { printf -- '--fact\n%s=%s\n' "$1" "$2"; }
facts=()
while IFS= read -r line; do facts+=("$line"); done < <(
	fact "CPU" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	fact "cores" "$(nproc)"
	fact "memory" "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	fact "kernel" "$(uname -sr)"
	fact "load average before / after" "$LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; above the core count, other work shared the CPUs)"
	fact "Go" "$("$GO" env GOVERSION)"
	fact "heraldd" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) (this tree)"
	fact "nats-server" "$(nats-server --version 2>&1 | head -1)"
	fact "redis-server" "$(redis-server --version 2>&1 | head -1)"
	fact "mosquitto" "$(mosquitto -h 2>&1 | head -1)"
)

# The raw figures are kept beside the report, so it can be redrawn.
cat "$WORK/all.json" "$WORK/fanout100.json" >"$OUT/figures.jsonl"
(cd "$ROOT/tools" && "$GO" run ./bench/report \
	--in "$OUT/figures.jsonl" \
	--out "$OUT/RESULTS.md" --svg "$OUT/fanout.svg" \
	--cmd "make bench-compare   # tools/bench/compare.sh, which ran:" \
	--cmd "${CMD1% --json*} $BENCH_FLAGS" --cmd "${CMD2% --json*} $BENCH_FLAGS" \
	"${facts[@]}")
log "wrote tools/bench/RESULTS.md and tools/bench/fanout.svg"
