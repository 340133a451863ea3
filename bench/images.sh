#!/usr/bin/env bash
# Image benchmark: the time and peak memory of `drey media add` on a 24-megapixel JPEG, and images per second
# for a batch of 100 phone-sized (12-megapixel) photos, each against the same work done by a C program calling
# libvips directly (bench/images/photos.c), run in the same invocation: the ratio is Drey's own overhead.
#
#   bash bench/images.sh            # BIN=.build/debug/drey to measure a debug build instead of a release one
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
WORK=$(mktemp -d /tmp/drey-bench-images.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 bench/images/photos.c -o "$WORK/photos" $(pkg-config --cflags --libs vips)
INPUTS=bench/results/images
if [[ ! -s $INPUTS/big.jpg || $(ls "$INPUTS/phone" 2>/dev/null | wc -l) -lt 100 ]]; then
  echo "making the inputs in $INPUTS (a minute or two)" >&2
  "$WORK/photos" make "$INPUTS"
fi
if [[ -z ${BIN:-} ]]; then
  swift build -c release --scratch-path .build-release --product drey >&2
  BIN=.build-release/release/drey
fi

timed() {  # output file, then the command; writes "seconds peak-kB"
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null
}

drey_add() {  # label, files…
  local label=$1; shift
  local data="$WORK/data-$label"
  "$BIN" migrate --data "$data" >/dev/null
  timed "$WORK/$label.drey" "$BIN" media add --data "$data" "$@"
  # Opening the blog is not image work: a run with no image to process is subtracted.
  timed "$WORK/$label.empty" "$BIN" media list --data "$data"
}

drey_add big "$INPUTS/big.jpg"
timed "$WORK/big.peer" "$WORK/photos" peer "$INPUTS/big.jpg"
drey_add phones "$INPUTS"/phone/*.jpg
timed "$WORK/phones.peer" "$WORK/photos" peer "$INPUTS"/phone/*.jpg

read -r big_s big_kb <"$WORK/big.drey"; read -r big_empty _ <"$WORK/big.empty"; read -r big_peer_s big_peer_kb <"$WORK/big.peer"
read -r ph_s ph_kb <"$WORK/phones.drey"; read -r ph_empty _ <"$WORK/phones.empty"; read -r ph_peer_s ph_peer_kb <"$WORK/phones.peer"
python3 - "$big_s" "$big_kb" "$big_empty" "$big_peer_s" "$big_peer_kb" "$ph_s" "$ph_kb" "$ph_empty" "$ph_peer_s" "$ph_peer_kb" "$BIN" <<'PY'
import sys
big_s, big_kb, big_empty, big_peer_s, big_peer_kb, ph_s, ph_kb, ph_empty, ph_peer_s, ph_peer_kb = map(float, sys.argv[1:11])
print(f"drey binary: {sys.argv[11]}")
big = big_s - big_empty
print(f"24 MP JPEG     drey {big:6.2f} s  peak RSS {big_kb/1024:6.0f} MB   |  libvips alone {big_peer_s:6.2f} s  {big_peer_kb/1024:6.0f} MB"
      f"   ratio {big/big_peer_s:4.2f}x time, {big_kb/big_peer_kb:4.2f}x memory")
ph = ph_s - ph_empty
print(f"100 × 12 MP    drey {100/ph:6.2f} images/s  peak RSS {ph_kb/1024:6.0f} MB   |  libvips alone {100/ph_peer_s:6.2f} images/s  {ph_peer_kb/1024:6.0f} MB"
      f"   ratio {ph/ph_peer_s:4.2f}x time")
PY
