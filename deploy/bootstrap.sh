#!/usr/bin/env bash
# Sets up a Debian 12 machine for Sluice and builds it. Run as root from the
# repository root (or anywhere: it finds the repository from its own path).
#
#   deploy/bootstrap.sh deps    install missing Debian packages and the test clients
#   deploy/bootstrap.sh build   deps + configure and build (build/, Ninja, ccache)
#   deploy/bootstrap.sh start   build + run a single-node broker on localhost:9092
#                               in the foreground, data in ./data, no config file
#   deploy/bootstrap.sh test    build + every test: unit (CTest), a short fuzz run,
#                               integration tests with real Kafka clients
#   deploy/bootstrap.sh package build + the Debian package (cpack -G DEB); prints
#                               the path of the .deb on stdout
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build_dir="${SLUICE_BUILD_DIR:-$repo/build}"

build_packages=(build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libzstd-dev liblz4-dev libssl-dev zlib1g-dev libsnappy-dev
  catch2 nlohmann-json3-dev libcli11-dev libsystemd-dev dpkg-dev)
test_packages=(clang libclang-rt-14-dev python3 python3-pytest python3-kafka
  python3-confluent-kafka python3-lz4 python3-snappy python3-zstandard
  kcat librdkafka-dev nodejs npm systemd iproute2 openssl)

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

deps() {
  install_packages "${build_packages[@]}"
  if [[ "${1:-}" == test ]]; then
    # nodejs/npm may come from elsewhere on this machine; only install them if absent.
    local pkgs=()
    for p in "${test_packages[@]}"; do
      case "$p" in
        nodejs) command -v node >/dev/null || pkgs+=(nodejs) ;;
        npm) command -v npm >/dev/null || pkgs+=(npm) ;;
        *) pkgs+=("$p") ;;
      esac
    done
    install_packages "${pkgs[@]}"
    local node_dir="$repo/tests/integration/node"
    if [[ -f "$node_dir/package.json" && ! -d "$node_dir/node_modules/kafkajs" ]]; then
      log "installing kafkajs for the integration tests"
      (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  fi
}

build() {
  log "building in $build_dir"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

fuzz() {
  local fuzz_dir="$build_dir-fuzz"
  log "building the fuzz targets (clang, libFuzzer)"
  CXX=clang++ cmake -S "$repo" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSLUICE_FUZZ=ON -DSLUICE_ONLY_PROTOCOL=ON -DSLUICE_TESTS=OFF >/dev/null
  cmake --build "$fuzz_dir" -j "$(nproc)"
  local seconds="${SLUICE_FUZZ_SECONDS:-30}"
  for target in "$fuzz_dir"/tests/fuzz/fuzz_*; do
    [[ -x "$target" ]] || continue
    log "fuzzing $(basename "$target") for ${seconds}s"
    local corpus
    corpus="$(mktemp -d)"
    "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
      "$corpus" "$repo/tests/fuzz/corpus" 2>&1 | tail -n 4
    rm -rf "$corpus"
  done
}

cmd="${1:-}"
case "$cmd" in
  deps) deps "${2:-}" ;;
  build) deps; build ;;
  start)
    deps
    build
    mkdir -p "$repo/data"
    log "starting sluiced on localhost:9092 (data in $repo/data); Ctrl-C stops it"
    exec "$build_dir/broker/sluiced" --set log.dirs="$repo/data"
    ;;
  package)
    deps
    build
    log "packaging (cpack -G DEB)"
    (cd "$build_dir" && cpack -G DEB >&2)
    ls -t "$build_dir"/sluice_*.deb | head -n 1
    ;;
  test)
    deps test
    build
    log "unit tests"
    (cd "$build_dir" && ctest --output-on-failure -j 2)
    fuzz
    log "integration tests"
    SLUICE_BIN="$build_dir/broker/sluiced" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
      "$repo/tests/integration"
    ;;
  *)
    echo "usage: deploy/bootstrap.sh deps|build|start|test|package" >&2
    exit 64
    ;;
esac
