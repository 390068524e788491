#!/bin/bash
# dist-files.sh TARBALL: the release tarball (make dist) holds every file git
# tracks, but for the few that only make sense in a clone (listed below), so
# that a test, a data file or a script added to the tree and forgotten in
# Makefile.am (EXTRA_DIST, SCRIPT_TESTS, ...) is caught even when make
# distcheck runs only some of the tests. One TAP test.
# Usage: tests/dist-files.sh smsdistd-X.Y.Z.tar.gz   (from a git clone)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:?usage: tests/dist-files.sh TARBALL}

# tracked, but for a clone only: CI, git's own files, empty-folder markers
not_shipped='^(\.ci/|\.gitignore$|\.gitattributes$|build-aux/\.keep$|m4/\.keep$)'

echo "1..1"
if ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    echo "ok 1 # SKIP $top is not a git clone: nothing to compare the tarball with"
    exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
git -C "$top" ls-files | grep -v -E "$not_shipped" | sort >"$tmp/tracked" || exit 1
# the tarball's files, without its top folder
tar -tzf "$tarball" | sed -n 's,^[^/]*/,,p' | grep -v '/$' | sort >"$tmp/shipped" ||
    { echo "not ok 1 - cannot list $tarball"; exit 1; }
comm -23 "$tmp/tracked" "$tmp/shipped" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
    echo "not ok 1 - $(basename "$tarball") lacks $(wc -l <"$tmp/missing") tracked files (add them to Makefile.am):"
    sed 's/^/#   /' "$tmp/missing"
    exit 1
fi
echo "ok 1 - $(basename "$tarball") holds every tracked file ($(wc -l <"$tmp/tracked")) but the clone-only ones"
