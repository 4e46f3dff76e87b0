#!/usr/bin/env bash
# Fetches Dear ImGui 1.86 sources from Debian's source package `imgui` (1.86+ds)
# into <cache-dir>/imgui-1.86, using a private apt sources folder (the system's
# apt configuration is only read, never changed). Idempotent: does nothing when
# the sources are already there. Usage: fetch-imgui.sh <cache-dir>
set -euo pipefail

cache_dir=${1:?usage: fetch-imgui.sh <cache-dir>}
mkdir -p "$cache_dir"
cache_dir=$(cd "$cache_dir" && pwd)
dest="$cache_dir/imgui-1.86"

if [[ -f "$dest/imgui.cpp" && -f "$dest/imgui_tables.cpp" ]]; then
  exit 0
fi

system_sources=/etc/apt/sources.list.d/debian.sources
if [[ ! -r $system_sources ]]; then
  echo "fetch-imgui: $system_sources not found (a Debian 12 machine is expected)" >&2
  exit 1
fi

d="$cache_dir/apt-src"
mkdir -p "$d/lists/partial"
# The system's first Debian entry (Types: deb, bookworm, main), with only Types
# changed to deb-src and Suites reduced to bookworm.
sed -n '1,/^$/p' "$system_sources" |
  sed 's/^Types: deb$/Types: deb-src/;/^Suites:/s/ .*/ bookworm/' >"$d/src.sources"
o=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$d" -o "Dir::State::Lists=$d/lists")

tarball=$(ls "$d"/imgui_1.86*.orig.tar.* 2>/dev/null | head -n1 || true)
if [[ -z $tarball ]]; then
  echo "fetch-imgui: downloading Debian source package imgui (1.86+ds)" >&2
  apt-get "${o[@]}" -qq update >&2
  (cd "$d" && apt-get "${o[@]}" -qq source --download-only imgui >&2)
  tarball=$(ls "$d"/imgui_1.86*.orig.tar.* 2>/dev/null | head -n1 || true)
fi
if [[ -z $tarball ]]; then
  echo "fetch-imgui: no imgui_1.86*.orig.tar.* after apt-get source" >&2
  exit 1
fi

tmp=$(mktemp -d "$cache_dir/imgui-unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp"
top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
if [[ ! -f $top/imgui.cpp ]]; then
  echo "fetch-imgui: unexpected tarball layout in $tarball" >&2
  exit 1
fi
rm -rf "$dest"
mv "$top" "$dest"
echo "fetch-imgui: sources in $dest" >&2
