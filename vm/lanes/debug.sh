# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Lane "debug": the host release's Debian linux-source (6.1 on Debian 12,
# where CI runs) built with configs/debug.config (KASAN, kmemleak, lockdep,
# SLUB debug, fault injection, KUnit) and booted under QEMU.  Sourced by
# kd_lane (vm/lib.sh), never executed.

# kd_debug_config_check CONFIG FRAGMENT -- fail listing every fragment line
# that olddefconfig dropped or changed (unmet dependency, renamed symbol).
kd_debug_config_check() {
	local config=$1 fragment=$2 line sym bad=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" || bad+=("$line") ;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$config" || bad+=("$line") ;;
		esac
	done <"$fragment"
	[ ${#bad[@]} -eq 0 ] && return 0
	kd_log "debug kernel: these configs/debug.config lines did not survive olddefconfig:"
	for line in "${bad[@]}"; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		printf '[kmem_demo]   want: %-45s got: %s\n' "$line" \
			"$(grep -E "^(# )?${sym}[= ]" "$config" || echo '(absent)')" >&2
	done
	kd_die "debug kernel config check failed"
}

# kd_debug_make LOG ARGS... -- make in the source tree with output to LOG and
# a progress line on stderr every 250 lines; the log tail on failure.
kd_debug_make() {
	local log=$1
	shift
	kd_log "debug kernel: make $*"
	if ! make -C "$KD_DEBUG_SRC" O="$KD_DEBUG_DIR" "$@" 2>&1 | tee -a "$log" |
		awk -v t0="$(date +%s)" 'NR % 250 == 0 {
			printf "[kmem_demo] debug kernel: %6d lines, %4ds: %s\n",
				NR, systime() - t0, $0 > "/dev/stderr" }'; then
		tail -n 40 "$log" >&2
		kd_die "debug kernel build failed, full log: $log"
	fi
}

# kd_debug_kernel -- build (once per source version + fragment) and set
# KD_DEBUG_DIR to the O= build dir.  A dir without .complete is resumed:
# Kbuild writes each target's .cmd only after success, so objects cut off
# mid-compile are redone.
kd_debug_kernel() {
	local frag=$KD_ROOT/configs/debug.config ver key
	need_pkgs gcc libc6-dev make flex bison bc perl libelf-dev libssl-dev
	KD_DEBUG_SRC=$(kd_linux_source)
	ver=${KD_DEBUG_SRC##*/linux-source-}
	key=$ver-$(sha256sum "$frag" | cut -c1-12)
	KD_DEBUG_DIR=$KD_CACHE/debug-kernel-$key
	[ -f "$KD_DEBUG_DIR/.complete" ] && return 0
	# Lanes and other harness runs sharing the cache may want it at the
	# same time, and two makes in one build dir spoil each other's
	# objects: one builds, the others wait and find it built.
	kd_lock debug-kernel
	[ -f "$KD_DEBUG_DIR/.complete" ] || kd_debug_build "$frag"
	kd_unlock debug-kernel
}

# kd_debug_build FRAGMENT -- build the kernel in $KD_DEBUG_DIR (resuming
# what is there), mark it complete and remove every other debug build.
kd_debug_build() {
	local frag=$1 log t0
	mkdir -p "$KD_DEBUG_DIR"
	log=$KD_DEBUG_DIR/build.log
	: >"$log"
	kd_log "debug kernel: building in $KD_DEBUG_DIR (log: $log)"
	t0=$(date +%s)
	kd_debug_make "$log" KCONFIG_ALLCONFIG="$frag" allnoconfig
	kd_debug_make "$log" olddefconfig
	kd_debug_config_check "$KD_DEBUG_DIR/.config" "$frag"
	# Default target = vmlinux + bzImage + modules (-> Module.symvers),
	# modules_prepare makes the dir usable as KDIR for external modules.
	kd_debug_make "$log" -j"$(nproc)" all modules_prepare
	touch "$KD_DEBUG_DIR/.complete"
	# Builds for another fragment or source version are never used again.
	find "$KD_CACHE" -maxdepth 1 -name 'debug-kernel-*' ! -path "$KD_DEBUG_DIR" \
		-exec rm -rf {} +
	kd_log "debug kernel: built in $(($(date +%s) - t0))s"
}

# The LANE_* variables are read by the harness after kd_lane returns.
# shellcheck disable=SC2034
lane_prepare() {
	need_pkgs busybox-static
	kd_debug_kernel
	LANE_KERNEL=$KD_DEBUG_DIR/arch/x86/boot/bzImage
	LANE_KDIR=$KD_DEBUG_DIR
	LANE_MAKE_ARGS=()
	LANE_CC=gcc
	LANE_BUSYBOX=/bin/busybox
	# PAGE_POISONING is compiled in but only active with page_poison=1.
	# The minimal kernel has no entropy source of its own: without trusting
	# RDRAND, %p/%pK print "(____ptrval____)" until the RNG is seeded.
	LANE_APPEND='page_poison=1 random.trust_cpu=on'
	LANE_INFO="$(cat "$KD_DEBUG_DIR/include/config/kernel.release") amd64 4KiB"
}
