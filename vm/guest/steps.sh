# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The guest's flows show each command as a user would type it, then its
# output: sourced by /init (make run's session.sh, make bench, make
# compare's compare.sh), which each define finish STATUS, what a failed
# step ends with.

# step CMD -- show CMD as typed, run it, stop the flow if it fails, with
# the kernel log since the caller's mark (the log's line count when its
# flow began).
step() {
	printf '\n$ %s\n' "$1"
	sh -c "$1"
	st=$?
	if [ "$st" -ne 0 ]; then
		printf '(exit status %s)\n' "$st"
		# The kernel usually says why (a refused parameter, ...).
		printf '\n$ dmesg | tail -n +%s\n' "$((${mark:-0} + 1))"
		dmesg | tail -n +$((${mark:-0} + 1))
		finish "$st"
	fi
}

# try CMD -- show CMD as typed and run it; a failure is shown, not fatal.
try() {
	printf '\n$ %s\n' "$1"
	sh -c "$1" || printf '(exit status %s)\n' "$?"
}

# insmod_cmd -- the module's insmod as this guest's flows type it: the
# lane's dma_bits= for its DMA demo device where that is not the module's
# default (/kd/config) and KD_PARAMS does not say it, then KD_PARAMS.
insmod_cmd() {
	_dma=${KD_DMA_BITS:+ dma_bits=$KD_DMA_BITS}
	case " ${KD_PARAMS:-}" in *" dma_bits="*) _dma= ;; esac
	printf 'insmod /kd/kmem_demo.ko%s%s' "$_dma" "${KD_PARAMS:+ $KD_PARAMS}"
}

# dma_settle -- wait, up to 10 s, until the DMA demo device has verified
# the buffers it was given at load (each transfer takes it about 100 ms):
# until no "transfer:" line of the report says waiting or running.  Fails
# when some still do.
dma_settle() {
	_ds=0
	while grep -qE '^transfer: +(waiting|running)' /proc/kmem_demo 2>/dev/null; do
		[ "$_ds" -lt 100 ] || return 1
		usleep 100000
		_ds=$((_ds + 1))
	done
}
