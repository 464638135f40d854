#!/usr/bin/env bash
# Builds Deskhand's image from the Containerfile and proves it: no registry is reached, so the
# base is made from Debian's packages (debootstrap, from the mirror this machine's apt sources
# name) and imported as a local image; buildah builds and runs it with chroot isolation, and
# ops/image_check.py checks the running image (probes, HEALTHCHECK, a signed /ticket 34, a
# SIGTERM drain, then two replicas on one PostgreSQL).
#
# Run as root (debootstrap and buildah need it): `make image`, and .ci/run after `make test`.
#   DESKHAND_TEST_POSTGRES_URL  the PostgreSQL server for the replicas (unset: one is started
#                               from Debian's packages for the run, as .ci/run does)
#   DESKHAND_IMAGE_CACHE        where the Debian base and the build's layers are kept between
#                               runs (default ${XDG_CACHE_HOME:-~/.cache}/deskhand-image)
#   DESKHAND_DEBIAN_MIRROR      a Debian mirror to use instead of the one the apt sources name
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
python=${PYTHON:-.venv/bin/python}
image=localhost/deskhand:check
base_image=localhost/deskhand-base:bookworm-1 # bump the number when the base's packages change

if [ "$(id -u)" != 0 ]; then
  echo "image check: run it as root (debootstrap and buildah's chroot isolation need it)" >&2
  exit 2
fi
if [ ! -x "$python" ]; then
  echo "image check: $python is missing; \`make image\` creates it" >&2
  exit 2
fi
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi

cache=${DESKHAND_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/deskhand-image}
mkdir -p "$cache"
buildah=(buildah --root "$cache/storage" --runroot "$cache/run")
if ! "${buildah[@]}" info >/dev/null 2>&1; then
  echo "image check: buildah's overlay storage does not work here; using vfs (slower)"
  buildah=(buildah --root "$cache/storage-vfs" --runroot "$cache/run-vfs" --storage-driver vfs)
fi

# The first Debian mirror of this machine's apt sources (deb822 .sources files, then the
# one-line sources.list), read now: no mirror is written into the repository.
debian_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -e "$file" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) uris = $i
          if ($i ~ /^Suites:/) suites = $i
          if ($i ~ /^Enabled:[ \t]*no/) enabled = "no"
        }
        if (enabled == "yes" && types ~ /[ \t]deb([ \t]|$)/ && suites !~ /-security/ && uris != "") {
          sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/); print u[1]; exit
        }
      }' "$file"
  done
  if [ -e /etc/apt/sources.list ]; then
    awk '$1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) !~ /-security/) { print $i; exit }
      }' /etc/apt/sources.list
  fi
}

if ! "${buildah[@]}" inspect --type image "$base_image" >/dev/null 2>&1; then
  base_tar="$cache/${base_image##*:}.tar"
  if [ ! -s "$base_tar" ]; then
    mirror=${DESKHAND_DEBIAN_MIRROR:-$(debian_mirror | head -n 1)}
    if [ -z "$mirror" ]; then
      echo "image check: no Debian mirror in /etc/apt/sources*; set DESKHAND_DEBIAN_MIRROR" >&2
      exit 2
    fi
    echo "image check: making a Debian bookworm base with debootstrap (once; kept in $cache)"
    rootfs=$(mktemp -d /tmp/deskhand-rootfs.XXXXXX)
    if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1; then
      tail -n 20 "$cache/debootstrap.log" >&2
      rm -rf "$rootfs"
      exit 1
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" --numeric-owner -cf "$base_tar.part" . && mv "$base_tar.part" "$base_tar"
    rm -rf "$rootfs"
  fi
  container=$("${buildah[@]}" from scratch)
  "${buildah[@]}" add --quiet "$container" "$base_tar" / >/dev/null
  "${buildah[@]}" config --cmd /bin/sh \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$container"
  "${buildah[@]}" commit --quiet "$container" "$base_image" >/dev/null
  "${buildah[@]}" rm "$container" >/dev/null
fi

echo "image check: building the Containerfile on $base_image"
certs=()
if [ -d /etc/ssl/certs ]; then # this machine's CA bundle, so pip reaches the package index
  certs=(-v /etc/ssl/certs:/etc/ssl/certs:ro)
fi
build_started=$SECONDS
if ! "${buildah[@]}" bud --isolation chroot --format docker --layers \
  --build-arg BASE="$base_image" "${certs[@]}" -f Containerfile -t "$image" . \
  >"$cache/build.log" 2>&1; then
  tail -n 30 "$cache/build.log" >&2
  exit 1
fi
size=$("${buildah[@]}" images --format '{{.Size}}' "$image" | head -n 1)
echo "image: $image, $size, built in $((SECONDS - build_started)) s"

postgres_url=${DESKHAND_TEST_POSTGRES_URL:-}
if [ -z "$postgres_url" ]; then # a server of our own for this run, started as .ci/run starts one
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pgdata=$(mktemp -d /tmp/deskhand-image-pg.XXXXXX)
  chown postgres "$pgdata"
  port=55433
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdata/data" -A trust -U deskhand >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata/data" -l "$pgdata/log" -w \
    -o "-h 127.0.0.1 -p $port -k $pgdata" start >/dev/null
  trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata/data" -m fast -w stop >/dev/null; rm -rf "$pgdata"' EXIT
  postgres_url="postgresql+psycopg://deskhand@127.0.0.1:$port/postgres"
fi

"$python" -m ops.image_check --image "$image" --buildah "$(printf '%q ' "${buildah[@]}")" \
  --postgres "$postgres_url"
echo "image check: passed in $((SECONDS - started)) s"
