# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Running side by side: how many lanes at once, and the locks that lanes
# and harness runs sharing the cache take.  Sourced by vm/lib.sh, never
# executed.

# kd_jobs N -- for N lanes about to run side by side: KD_JOBS_N, how many
# run at once (KD_JOBS, default 2), and KD_SHARE, how many lanes share the
# CPUs, which stretches the guests' timeouts.  KD_SHARE is exported, so that
# a harness run inside a script lane (the machines and compare lanes') knows
# it shares them too; one set by the caller stays.
kd_jobs() {
	KD_JOBS_N=${KD_JOBS:-2}
	[ "$KD_JOBS_N" -ge 1 ] || KD_JOBS_N=1
	if [ -z "${KD_SHARE:-}" ]; then
		KD_SHARE=$KD_JOBS_N
		[ "$1" -gt 1 ] || KD_SHARE=1
	fi
	export KD_SHARE
}

# kd_lock NAME / kd_unlock NAME -- hold / release the lock NAME, shared by
# every harness process using this cache (lanes run in parallel).
declare -A KD_LOCKS=()
kd_lock() {
	local fd
	mkdir -p "$KD_CACHE/locks"
	exec {fd}>"$KD_CACHE/locks/$1"
	flock "$fd"
	KD_LOCKS[$1]=$fd
}

kd_unlock() {
	local fd=${KD_LOCKS[$1]:?kd_unlock $1: not locked}
	exec {fd}>&-
	unset "KD_LOCKS[$1]"
}
