#!/usr/bin/env bash
# The Debian package as a user gets it: CPack builds geosweep_<version>_<arch>.deb from this
# build (cmake/packaging.cmake); it is unpacked into an empty root and the program there runs
# `geosweep info` and the demo. Its Depends must name, for every library the program needs,
# the Debian package that holds it (asked of dpkg -S, not of CPack), and the CUDA runtime
# must come from the package, not from the toolkit.
# Usage: package_test.sh BUILD_DIR VERSION    Exit 77 (skipped) without cpack or dpkg-deb.
set -euo pipefail
build=$1 version=$2
for tool in cpack dpkg-deb dpkg readelf; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/pkg" > "$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack"; }
debs=("$work"/pkg/geosweep_"$version"_*.deb)
[ -f "${debs[0]}" ] || fail "no geosweep_${version}_*.deb in $(ls "$work/pkg")"
deb=${debs[0]}
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
[ "$(dpkg-deb -f "$deb" Package)" = geosweep ] || fail "Package field"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version field"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
depends_names=$(tr ',|' '\n\n' <<< "$depends" | awk '{print $1}')

# Every library the built program links (its NEEDED entries, found by the loader), outside
# the package's private folder, must be a Debian package's, and that package a dependency.
program=$build/pipeline/geosweep
checked=0
while read -r soname; do
  case $soname in
    libcudart.so.*) continue ;;  # the package's own (checked below)
    ld-linux*) continue ;;       # the loader: libc6's, as libc.so.6 is
  esac
  path=$(ldd "$program" | awk -v n="$soname" '$1 == n {print $3}')
  [ -n "$path" ] || fail "$soname: not found by ldd"
  owner=$(dpkg -S "$(readlink -f "$path")" 2> /dev/null | head -1 | cut -d: -f1) ||
    owner=$(dpkg -S "$path" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -n "$owner" ] || fail "$soname ($path) is in no Debian package"
  # The package, or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9, the name
  # its shlibs file gives).
  names=$owner
  provides=$(dpkg-query -W -f='${Provides}' "$owner" 2> /dev/null | tr -d ' ' | tr ',' ' ')
  for p in $provides; do names="$names ${p%%(*}"; done
  found=
  for n in $names; do
    grep -qxF -- "$n" <<< "$depends_names" && found=$n
  done
  [ -n "$found" ] || fail "$soname: its package $owner (or what it provides) is not in Depends"
  checked=$((checked + 1))
done < <(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ "$checked" -ge 8 ] || fail "only $checked libraries checked"
echo "Depends names the package of each of $checked libraries"

root=$work/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/geosweep usr/share/man/man1/geosweep.1.gz usr/share/doc/geosweep/README.md \
  usr/share/doc/geosweep/docs/job-spec.md usr/share/doc/geosweep/examples/sentinel2-rondonia.yaml; do
  [ -f "$root/$f" ] || fail "$f not in the package"
done
if command -v man > /dev/null; then
  # Rendered as a user reads it, overstrike (bold, underline) removed.
  MAN_KEEP_FORMATTING= man -l "$root/usr/share/man/man1/geosweep.1.gz" 2> /dev/null |
    sed 's/.\x08//g' > "$work/man.txt"
  for words in "EXIT STATUS" "--output" "simulate" "$version"; do
    grep -qF -- "$words" "$work/man.txt" || fail "the man page lacks '$words'"
  done
fi
exe=$root/usr/bin/geosweep
if readelf -d "$program" | grep -q 'libcudart\.so'; then
  lib=$(ldd "$exe" | awk '$1 ~ /^libcudart/ {print $3}')
  case "$(readlink -f "$lib")" in
    "$(readlink -f "$root")"/usr/lib/geosweep/*) ;;
    *) fail "the unpacked program loads the CUDA runtime from '$lib', not from the package" ;;
  esac
  echo "CUDA runtime from the package: $lib"
fi
"$exe" info > "$work/info.txt" || fail "geosweep info exits $?"
grep -q "^geosweep $version\$" "$work/info.txt" || { cat "$work/info.txt"; fail "info's version"; }
"$exe" simulate --out "$work/demo" --seed 42 --size 200 > /dev/null || fail "simulate"
"$exe" --backend cpu -q run "$work/demo/job.yaml" || fail "run exits $?"
[ -s "$work/demo/out/alerts.csv" ] && [ -s "$work/demo/out/manifest.json" ] || fail "no outputs"
"$exe" -q verify "$work/demo/out" || fail "verify"
echo "PASS: the unpacked package runs info and the demo"
