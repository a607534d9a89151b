# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers of the host tests (tests/host/*.sh).  Sourced.

# png_size PNG -- "WIDTHxHEIGHT" from the IHDR chunk, empty if not a PNG.
png_size() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n",
		$1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
