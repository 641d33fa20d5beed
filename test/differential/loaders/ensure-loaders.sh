#!/usr/bin/env bash
# Builds the real YAML loaders the config differential test compares the gate
# against, once, cached under ~/.cache/migration-gate-tools (a warm machine
# pays nothing). Prints, one per line, NAME=PATH for the test to read.
# Fails loudly, with the install command, when a toolchain is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${MIGRATION_GATE_TOOLS:-$HOME/.cache/migration-gate-tools}"
SNAKEYAML_VERSION=2.5

fail() { echo "ensure-loaders: $*" >&2; exit 1; }

command -v python3 >/dev/null || fail "python3 is missing: apt-get install -y python3 python3-pip"
python3 -c 'import yaml' 2>/dev/null || fail "PyYAML is missing: pip install pyyaml"
command -v go >/dev/null || fail "go is missing: install Go >= 1.21 (https://go.dev/dl/)"
command -v java >/dev/null && command -v javac >/dev/null || fail "a JDK is missing: apt-get install -y openjdk-17-jdk-headless"
command -v mvn >/dev/null || fail "maven is missing: apt-get install -y maven"

# Go: yaml.v3 and yaml.v2, keyed by the sources so an edit rebuilds.
go_key="$(cat "$here/go-yaml/go.mod" "$here/go-yaml/go.sum" "$here/go-yaml/main.go" | sha256sum | cut -c1-16)"
go_bin="$cache/go-yaml/$go_key/go-yaml-loader"
if [ ! -x "$go_bin" ]; then
  mkdir -p "$(dirname "$go_bin")"
  (cd "$here/go-yaml" && GOFLAGS=-mod=mod go build -o "$go_bin.tmp" . ) || fail "go build of test/differential/loaders/go-yaml failed"
  mv "$go_bin.tmp" "$go_bin"
fi

# SnakeYAML from Maven Central, and the loader compiled against it.
snake_dir="$cache/snakeyaml-$SNAKEYAML_VERSION"
jar="$snake_dir/snakeyaml-$SNAKEYAML_VERSION.jar"
if [ ! -s "$jar" ]; then
  mkdir -p "$snake_dir"
  mvn -q -B dependency:copy -Dartifact="org.yaml:snakeyaml:$SNAKEYAML_VERSION" -DoutputDirectory="$snake_dir" \
    || fail "could not fetch org.yaml:snakeyaml:$SNAKEYAML_VERSION from Maven Central"
fi
java_key="$(sha256sum "$here/snakeyaml/SnakeLoader.java" | cut -c1-16)"
classes="$snake_dir/classes-$java_key"
if [ ! -f "$classes/SnakeLoader.class" ]; then
  mkdir -p "$classes.tmp"
  javac -d "$classes.tmp" -cp "$jar" "$here/snakeyaml/SnakeLoader.java" || fail "javac of SnakeLoader.java failed"
  rm -rf "$classes" && mv "$classes.tmp" "$classes"
fi

echo "PYTHON_LOADER=$here/pyyaml_loader.py"
echo "GO_LOADER=$go_bin"
echo "JAVA_CLASSPATH=$jar:$classes"
