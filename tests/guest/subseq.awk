# SPDX-License-Identifier: GPL-2.0
# awk -f subseq.awk WANT SAW -- are WANT's lines, in order, among SAW's?
# Both are masked (mask.sed, mask-session.sed).  The lab's numbers
# ("lab 12", "[lab 12]") may all be off by the same amount: how many
# experiments succeeded before can depend on the memory there was.
# Prints "K N D": K of WANT's N lines found with the numbers off by D
# (the D nearest 0 that finds the most), then for each WANT line the number of the
# SAW line it was found as, 0 for none.
# shift LINE D -- LINE with each lab number increased by D.
function shift(line, d,   out, n) {
	out = ""
	while (match(line, /lab [0-9]+/)) {
		n = substr(line, RSTART + 4, RLENGTH - 4) + d
		out = out substr(line, 1, RSTART + 3) n
		line = substr(line, RSTART + RLENGTH)
	}
	return out line
}
NR == FNR { want[++k] = $0; next }
{
	saw[++m] = $0
	s = $0
	while (match(s, /lab [0-9]+/)) {
		n = substr(s, RSTART + 4, RLENGTH - 4) + 0
		if (n > top) top = n
		s = substr(s, RSTART + RLENGTH)
	}
}
END {
	best = -1
	# Nearest first: 0, -1, 1, -2, 2, ...
	for (e = 0; e <= 2 * top; e++) {
		d = e % 2 ? -(e + 1) / 2 : e / 2
		i = 0
		for (j = 1; j <= m && i < k; j++) {
			w = shift(want[i + 1], d)
			if (saw[j] == w) { i++; at[d, i] = j }
		}
		if (i > best) { best = i; bd = d }
		if (i == k) break
	}
	if (best < 0) { best = 0; bd = 0 }
	print best, k, bd
	for (i = 1; i <= k; i++) print (i <= best ? at[bd, i] : 0)
}
