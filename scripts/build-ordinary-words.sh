#!/usr/bin/env bash
# Writes data/english/ordinary-words.txt and data/english/LICENSE.scowl from
# Debian's wamerican package (SCOWL size 50, American spelling): the words
# the list writes in lower case and never capitalised. The name finder
# (src/text/names.rs) reads a capital on such a word at the start of a
# sentence as the sentence's, not a name's ("Meet Barack Obama.").
#
#   bash scripts/build-ordinary-words.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2020.12.07-2
SHA256=c8f8e2b2ad0d37bfdd41f0e40f1e4c8e5f907467d768a1d3698b164e9617f0b4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "wamerican=$VERSION" >/dev/null 2>&1)
deb=$(ls "$work"/wamerican_*.deb)
got=$(sha256sum "$deb" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
    echo "wamerican $VERSION: sha256 $got, expected $SHA256" >&2
    exit 1
fi
dpkg-deb -x "$deb" "$work/x"
list="$work/x/usr/share/dict/american-english"
out=data/english/ordinary-words.txt
{
    echo "# Ordinary English words: the entries of SCOWL's size-50 American list"
    echo "# (Debian package wamerican $VERSION, /usr/share/dict/american-english)"
    echo "# written in lower case whose capitalised form the list does not hold"
    echo "# (\"meet\", \"originally\"; not \"south\", \"mark\": the list has \"South\" and"
    echo "# \"Mark\"), letters only, one per line. Copyright 2000-2011 Kevin Atkinson"
    echo "# and others; permissive licence, LICENSE.scowl beside this file."
    LC_ALL=C grep -x '[A-Za-z]*' "$list" | LC_ALL=C awk '
        { seen[$0] = 1 }
        END {
            for (w in seen) {
                if (w ~ /^[a-z]+$/ && length(w) >= 2) {
                    cap = toupper(substr(w, 1, 1)) substr(w, 2)
                    if (!(cap in seen)) print w
                }
            }
        }' | LC_ALL=C sort
} > "$out"
cp "$work/x/usr/share/doc/wamerican/copyright" data/english/LICENSE.scowl
echo "$out: $(grep -vc '^#' "$out") words"
