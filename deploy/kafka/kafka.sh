#!/usr/bin/env bash
# Run Apache Kafka (KRaft, combined broker+controller) on 127.0.0.1 for tests/CI.
#
#   kafka.sh fetch                 fetch the broker jars from Maven Central (cached)
#   kafka.sh start [--nodes 1|3] [--secure]
#                                  format storage, start node(s), wait until ready,
#                                  print the bootstrap servers as the last stdout line;
#                                  --secure: SASL/SCRAM-SHA-512 (plus a TLS listener),
#                                  the authorizer, one user per service and platform, ACLs
#   kafka.sh stop                  stop every node started by `start` (idempotent)
#   kafka.sh bootstrap             print the bootstrap servers of the running cluster
#   kafka.sh status                print whether the cluster is running (exit 1 if not)
#   kafka.sh kill-node N           SIGKILL node N, as a crash would (fault tests)
#   kafka.sh start-node N          start node N again on its old ports and data
#
# Environment:
#   ONETEAM_DATA_DIR     base dir for jars and runtime state (default <repo>/.data)
#   KAFKA_VERSION        org.apache.kafka:kafka_2.13 version (default: pom.xml's)
#   KAFKA_LIB_DIR        jar cache (default $ONETEAM_DATA_DIR/kafka/lib)
#   KAFKA_RUN_DIR        data/logs/pids (default $ONETEAM_DATA_DIR/kafka/run)
#   KAFKA_HEAP_OPTS      per-node heap (default "-Xms256m -Xmx512m")
#   KAFKA_JVM_OPTS       extra JVM options appended to the defaults
#   KAFKA_START_TIMEOUT  seconds to wait for the cluster to be ready (default 120)
#   KAFKA_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#   ONETEAM_PYTHON       python used for port picking / readiness check
#                        (default <repo>/.venv/bin/python if present, else python3)
#   KAFKA_PLATFORMS      with --secure: subscribing platforms (default platforms.yaml here)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/log4j2.properties"

DATA_DIR="${ONETEAM_DATA_DIR:-$REPO_ROOT/.data}"
LIB_DIR="${KAFKA_LIB_DIR:-$DATA_DIR/kafka/lib}"
RUN_DIR="${KAFKA_RUN_DIR:-$DATA_DIR/kafka/run}"
PID_FILE="$RUN_DIR/pids"
BOOTSTRAP_FILE="$RUN_DIR/bootstrap"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
PLATFORMS="${KAFKA_PLATFORMS:-$SCRIPT_DIR/platforms.yaml}"
CREDENTIALS="$RUN_DIR/credentials.json"
SECURE=0

POM_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
VERSION="${KAFKA_VERSION:-$POM_VERSION}"

if [[ -n "${ONETEAM_PYTHON:-}" ]]; then
  PY="$ONETEAM_PYTHON"
elif [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then
  PY="$REPO_ROOT/.venv/bin/python"
else
  PY="python3"
fi

log() { echo "kafka.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

# ---------------------------------------------------------------- fetch ----

fetch() {
  # Keep jars and runtime state out of git even if the repo's .gitignore lacks .data/.
  [[ -f "$DATA_DIR/kafka/.gitignore" ]] || { mkdir -p "$DATA_DIR/kafka"; echo '*' >"$DATA_DIR/kafka/.gitignore"; }
  local marker="$LIB_DIR/.complete-$VERSION"
  if [[ -f "$marker" && -f "$LIB_DIR/kafka_2.13-$VERSION.jar" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka $VERSION jars)"
  log "fetching Kafka $VERSION jars from Maven Central into $LIB_DIR"
  local tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local mvn_log="$tmp.log"
  if ! mvn -B -Dstyle.color=never -f "$POM" \
      dependency:copy-dependencies \
      -Dkafka.version="$VERSION" -DincludeScope=runtime \
      -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp" "$mvn_log"
    die "mvn dependency:copy-dependencies failed for Kafka $VERSION"
  fi
  rm -f "$mvn_log"
  [[ -f "$tmp/kafka_2.13-$VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$VERSION.jar missing after fetch"; }
  touch "$tmp/.complete-$VERSION"
  rm -rf "$LIB_DIR"
  mkdir -p "$(dirname "$LIB_DIR")"
  mv "$tmp" "$LIB_DIR"
}

# ------------------------------------------------------------- helpers ----

# PIDs from the pid file that are still alive and still our Kafka processes.
live_pids() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  while read -r pid _; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if [[ -r "/proc/$pid/cmdline" ]] &&
       tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-Doneteam.kafka.run=$RUN_DIR "; then
      echo "$pid"
    fi
  done <"$PID_FILE"
}

is_running() { [[ -n "$(live_pids)" ]]; }

# N free TCP ports on 127.0.0.1, space separated (all bound at once, so distinct).
free_ports() {
  "$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# Random KRaft cluster id: 16 random bytes, url-safe base64 without padding
# (what `kafka-storage random-uuid` prints), never starting with '-'.
random_cluster_id() {
  "$PY" - <<'EOF'
import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break
EOF
}

java_opts() {  # $1 = node dir
  local node_dir="$1"
  # shellcheck disable=SC2206
  JAVA_OPTS=($HEAP_OPTS
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dkafka.logs.dir="$node_dir/logs"
    -Dlog4j2.configurationFile="$LOG4J_CONF"
    -Doneteam.kafka.run="$RUN_DIR"
    ${KAFKA_JVM_OPTS:-})
}

write_config() {  # node_id nodes broker_port controller_port voters node_dir [tls_port]
  local id="$1" nodes="$2" bport="$3" cport="$4" voters="$5" dir="$6" tport="${7:-}"
  local rf=1 isr=1
  if [[ "$nodes" -ge 3 ]]; then rf=3; isr=2; fi
  {
    echo "# Generated by deploy/kafka/kafka.sh -- node $id of $nodes"
    if ((SECURE)); then
      secure_listeners "$bport" "$cport" "$tport"
    else
      echo "listeners=PLAINTEXT://127.0.0.1:$bport,CONTROLLER://127.0.0.1:$cport"
      echo "advertised.listeners=PLAINTEXT://127.0.0.1:$bport"
      echo "controller.listener.names=CONTROLLER"
      echo "inter.broker.listener.name=PLAINTEXT"
      echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    fi
  } >"$dir/server.properties"
  cat >>"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
log.dirs=$dir/data

num.partitions=6
default.replication.factor=$rf
min.insync.replicas=$isr
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0

# small footprint (2-core CI machine)
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

# --secure: clients sign in with SCRAM-SHA-512 on SASL_PLAINTEXT (and on SASL_SSL, TLS
# with a CA made for this run); the brokers too, as the super user `admin`. Controllers
# authenticate with PLAIN, because KRaft keeps SCRAM credentials in the very metadata
# log the controllers serve. Anything no ACL allows is refused (StandardAuthorizer).
secure_listeners() {  # broker_port controller_port tls_port
  local bport="$1" cport="$2" tport="$3" pw
  pw="$(admin_password)"
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$pw\";"
  cat <<EOF
listeners=SASL_PLAINTEXT://127.0.0.1:$bport,SASL_SSL://127.0.0.1:$tport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$bport,SASL_SSL://127.0.0.1:$tport
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw" user_admin="$pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
ssl.keystore.type=PEM
ssl.keystore.location=$RUN_DIR/tls/broker.pem
EOF
}

admin_password() {
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' "$CREDENTIALS"
}

# A CA and a broker certificate (127.0.0.1, localhost) for this run only; clients trust
# $RUN_DIR/tls/ca.pem (KAFKA_SSL_CAFILE).
make_tls() {
  local d="$RUN_DIR/tls"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
      -subj "/CN=OneTeam local Kafka CA" -keyout ca.key -out ca.pem
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
      -extfile broker.ext -out broker.crt
    cat broker.key broker.crt ca.pem >broker.pem
    chmod 600 ca.key broker.key broker.pem
  ) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; die "could not make the TLS certificates"; }
}

tail_logs() {
  local d
  for d in "$RUN_DIR"/node*; do
    [[ -d "$d" ]] || continue
    log "---- tail of $d/logs/server.log ----"
    tail -n 40 "$d/logs/server.log" 2>/dev/null >&2 || true
    if [[ -s "$d/stdout.log" ]]; then
      log "---- tail of $d/stdout.log ----"
      tail -n 20 "$d/stdout.log" >&2 || true
    fi
  done
}

# Wait until every node answers. With aiokafka: metadata lists all N brokers.
# Without it: every broker port accepts TCP and every log says "Kafka Server started".
wait_ready() {  # bootstrap nodes timeout_s
  local bootstrap="$1" nodes="$2" timeout="$3"
  local deadline=$((SECONDS + timeout))
  local mode="socket"
  if "$PY" -c 'import aiokafka' >/dev/null 2>&1; then mode="aiokafka"; fi
  while ((SECONDS < deadline)); do
    local pid node
    while read -r pid node; do
      if ! kill -0 "$pid" 2>/dev/null; then
        log "error: Kafka $node (pid $pid) exited during start-up"
        return 1
      fi
    done <"$PID_FILE"
    local started=0 d
    for d in "$RUN_DIR"/node*; do
      grep -q "Kafka Server started" "$d/logs/server.log" 2>/dev/null && started=$((started + 1))
    done
    if ((started == nodes)); then
      local admin_pw=""
      if ((SECURE)); then admin_pw="$(admin_password)"; fi
      if ONETEAM_KAFKA_ADMIN_PASSWORD="$admin_pw" "$PY" - "$bootstrap" "$nodes" "$mode" <<'EOF' >/dev/null 2>&1; then
import asyncio, socket, sys
bootstrap, nodes, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for hp in bootstrap.split(","):
    h, p = hp.rsplit(":", 1)
    socket.create_connection((h, int(p)), timeout=2).close()
if mode == "aiokafka":
    from aiokafka.admin import AIOKafkaAdminClient
    async def main():
        import os
        secure = {}
        if os.environ.get("ONETEAM_KAFKA_ADMIN_PASSWORD"):
            secure = dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                          sasl_plain_username="admin",
                          sasl_plain_password=os.environ["ONETEAM_KAFKA_ADMIN_PASSWORD"])
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000, **secure)
        await admin.start()
        try:
            info = await admin.describe_cluster()
            brokers = info.get("brokers", [])
            assert len(brokers) >= nodes, brokers
            assert info.get("controller_id", -1) >= 0, info
        finally:
            await admin.close()
    asyncio.run(asyncio.wait_for(main(), 15))
EOF
        return 0
      fi
    fi
    sleep 0.5
  done
  log "error: Kafka not ready after ${timeout}s"
  return 1
}

# --------------------------------------------------------------- start ----

start_once() {  # nodes
  local nodes="$1"
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"
  : >"$PID_FILE"

  local ports
  read -r -a ports <<<"$(free_ports $((3 * nodes)))"
  local voters="" bootstrap="" tls_bootstrap="" i
  for ((i = 1; i <= nodes; i++)); do
    local bport="${ports[$((3 * i - 3))]}" cport="${ports[$((3 * i - 2))]}" tport="${ports[$((3 * i - 1))]}"
    voters+="${voters:+,}$i@127.0.0.1:$cport"
    bootstrap+="${bootstrap:+,}127.0.0.1:$bport"
    tls_bootstrap+="${tls_bootstrap:+,}127.0.0.1:$tport"
  done
  local scram=()
  if ((SECURE)); then
    make_tls
    # One password per principal, kept in $CREDENTIALS; the users exist from the first start.
    mapfile -t scram < <("$PY" -m oneteam_devstack.kafka_access scram-args \
      --credentials "$CREDENTIALS" --platforms "$PLATFORMS")
    [[ ${#scram[@]} -gt 0 ]] || die "could not create the SCRAM users (see above)"
  fi

  local cluster_id
  cluster_id="$(random_cluster_id)"
  for ((i = 1; i <= nodes; i++)); do
    local dir="$RUN_DIR/node$i"
    mkdir -p "$dir/logs" "$dir/data"
    write_config "$i" "$nodes" "${ports[$((3 * i - 3))]}" "${ports[$((3 * i - 2))]}" "$voters" "$dir" \
      "${ports[$((3 * i - 1))]}"
    java_opts "$dir"
    # Static quorum (controller.quorum.voters): every node is formatted with the
    # same cluster id; no --standalone / --initial-controllers needed.
    if ! java -Xmx256m -XX:TieredStopAtLevel=1 -Dkafka.logs.dir="$dir/logs" \
        -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$LIB_DIR/*" \
        kafka.tools.StorageTool format --ignore-formatted ${scram[@]+"${scram[@]}"} \
        -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1; then
      cat "$dir/format.log" >&2
      die "storage format failed for node $i"
    fi
  done

  for ((i = 1; i <= nodes; i++)); do
    local dir="$RUN_DIR/node$i"
    java_opts "$dir"
    # setsid: the broker outlives the calling shell and ignores its Ctrl-C / SIGHUP.
    setsid nohup java "${JAVA_OPTS[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$dir/server.properties" \
      >"$dir/stdout.log" 2>&1 </dev/null &
    echo "$! node$i" >>"$PID_FILE"
  done
  echo "$cluster_id" >"$RUN_DIR/cluster_id"

  if ! wait_ready "$bootstrap" "$nodes" "$START_TIMEOUT"; then
    return 1
  fi
  if ((SECURE)); then
    "$PY" -m oneteam_devstack.kafka_access apply --bootstrap "$bootstrap" \
      --credentials "$CREDENTIALS" --platforms "$PLATFORMS" || return 1
    echo "$tls_bootstrap" >"$RUN_DIR/bootstrap-tls"
  fi
  echo "$bootstrap" >"$BOOTSTRAP_FILE"
}

start() {
  local nodes=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) [[ $# -ge 2 ]] || usage; nodes="$2"; shift 2 ;;
      --nodes=*) nodes="${1#--nodes=}"; shift ;;
      --secure) SECURE=1; shift ;;
      -h|--help) usage 0 ;;
      *) die "unknown option for start: $1" ;;
    esac
  done
  [[ "$nodes" == 1 || "$nodes" == 3 ]] || die "--nodes must be 1 or 3 (got $nodes)"
  if is_running; then
    die "a Kafka cluster is already running from $RUN_DIR ($(cat "$BOOTSTRAP_FILE" 2>/dev/null || echo '?')); run '$0 stop' first"
  fi
  command -v java >/dev/null || die "java not found (Kafka $VERSION needs Java 17+)"
  if ((SECURE)); then
    command -v openssl >/dev/null || die "openssl not found (--secure makes the TLS certificates with it)"
  fi
  fetch

  local t0=$SECONDS attempt
  for attempt in 1 2 3; do
    if start_once "$nodes"; then
      log "Kafka $VERSION ready: $nodes node(s) in $((SECONDS - t0))s, data and logs in $RUN_DIR"
      if ((SECURE)); then
        log "secured: passwords in $CREDENTIALS; TLS on $(cat "$RUN_DIR/bootstrap-tls"), CA $RUN_DIR/tls/ca.pem"
      fi
      cat "$BOOTSTRAP_FILE"
      return 0
    fi
    # A port picked as free may have been taken meanwhile: retry with new ports.
    if grep -qs "Address already in use" "$RUN_DIR"/node*/logs/server.log "$RUN_DIR"/node*/stdout.log && ((attempt < 3)); then
      log "port clash, retrying with new ports"
      stop_nodes
      continue
    fi
    tail_logs
    stop_nodes
    die "Kafka failed to start (logs kept in $RUN_DIR)"
  done
}

# ---------------------------------------------------------------- stop ----

stop_nodes() {
  local pids
  pids="$(live_pids | tr '\n' ' ')"
  if [[ -n "${pids// /}" ]]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT)) pid alive
    while ((SECONDS < deadline)); do
      alive=""
      for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive+=" $pid"; done
      [[ -z "$alive" ]] && break
      sleep 0.2
    done
    for pid in $pids; do
      if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not exit after ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    for pid in $pids; do
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    done
  fi
  rm -f "$PID_FILE" "$BOOTSTRAP_FILE"
}

stop() {
  if is_running; then
    stop_nodes
    log "stopped"
  else
    rm -f "$PID_FILE" "$BOOTSTRAP_FILE"
    log "not running"
  fi
}

# ------------------------------------------------------- single nodes ----

node_pid() {  # node name -> pid (alive or not) from the pid file
  awk -v n="$1" '$2 == n { pid = $1 } END { print pid }' "$PID_FILE" 2>/dev/null
}

kill_node() {
  local node="node$1" pid
  pid="$(node_pid "$node")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || die "$node is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  log "$node (pid $pid) killed"
}

start_node() {
  local node="node$1" dir="$RUN_DIR/node$1" pid
  [[ -f "$dir/server.properties" ]] || die "$node was never started from $RUN_DIR"
  pid="$(node_pid "$node")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then die "$node is already running (pid $pid)"; fi
  java_opts "$dir"
  setsid nohup java "${JAVA_OPTS[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$dir/server.properties" \
    >>"$dir/stdout.log" 2>&1 </dev/null &
  echo "$! $node" >>"$PID_FILE"
  local port deadline=$((SECONDS + START_TIMEOUT))
  port="$(sed -n 's/^advertised.listeners=[A-Z_]*:\/\/127.0.0.1:\([0-9]*\).*$/\1/p' "$dir/server.properties")"
  until "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), timeout=1)" 2>/dev/null; do
    ((SECONDS < deadline)) || die "$node did not come back within ${START_TIMEOUT}s"
    sleep 0.3
  done
  log "$node started again (pid $!)"
}

# ---------------------------------------------------------------- main ----

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  fetch) fetch; log "Kafka $VERSION jars in $LIB_DIR" ;;
  start) start "$@" ;;
  stop) stop ;;
  bootstrap)
    if is_running && [[ -s "$BOOTSTRAP_FILE" ]]; then
      cat "$BOOTSTRAP_FILE"
    else
      die "no running Kafka cluster (start it with '$0 start')"
    fi ;;
  status)
    if is_running && [[ -s "$BOOTSTRAP_FILE" ]]; then
      echo "running: $(cat "$BOOTSTRAP_FILE") pids: $(live_pids | tr '\n' ' ')"
    else
      echo "not running"; exit 1
    fi ;;
  kill-node) [[ $# -ge 1 ]] || usage; kill_node "$1" ;;
  start-node) [[ $# -ge 1 ]] || usage; start_node "$1" ;;
  -h|--help|help) usage 0 ;;
  *) usage ;;
esac
