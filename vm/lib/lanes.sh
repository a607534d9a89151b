# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The lane registry and kd_lane, which prepares a kernel lane.  Every lane
# is a row of the registry, vm/lanes.tsv, which says how
# it runs (its comment explains the columns).  A kernel lane is a kernel
# the guest tests run on: its row names the lane file that serves it
# (vm/lanes/debian.sh for Debian's kernels, vm/lanes/debug.sh for the
# kernel built here).  kd_lane sources that file, which must define
# lane_prepare NAME: it makes everything the lane needs present
# (installing, downloading or building into $KD_CACHE; idempotent and
# quick once cached) and then sets the LANE_* variables below.  kd_lane
# sets LANE_NAME, LANE_SLOW, LANE_TESTS and LANE_SMP from the row first,
# and empty defaults for
# LANE_APPEND, LANE_MAKE_ARGS, LANE_ROOT, LANE_SPARSE, LANE_INFO,
# LANE_MODDIR and LANE_DEB_ARCH; after lane_prepare, LANE_ARCH, LANE_QEMU
# and LANE_CONSOLE from the row's arch (or LANE_DEB_ARCH) and cpu
# (kd_qemu), the same for every lane of an architecture.
#
#   LANE_NAME       the lane's name (distro, sid, arm64-16k, debug, ...)
#   LANE_DEB_ARCH   set by lane_prepare when the row's arch is "-": the
#                   Debian architecture of the kernel it found (the host
#                   lane's)
#   LANE_ARCH       kernel ARCH of the guest: x86 or arm64
#   LANE_KERNEL     bootable kernel image for qemu -kernel
#   LANE_KDIR       kernel build tree to build kmem_demo.ko against, as
#                   seen from LANE_ROOT
#   LANE_ROOT       build root (a Debian of the kernel's release) that
#                   builds run in, through chroot; empty: the host builds
#   LANE_MAKE_ARGS  array: extra make args for that tree
#                   (e.g. ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
#   LANE_CC         C compiler for static guest helper programs, the
#                   kernel's own compiler (gcc-16, aarch64-linux-gnu-gcc-12)
#   LANE_SPARSE     empty when sparse checks this lane, else why not
#   LANE_BUSYBOX    static busybox binary for the guest
#   LANE_QEMU       array: qemu binary and machine/cpu/accel arguments
#                   (the harness adds -m, -kernel, -initrd, -append, console)
#   LANE_CONSOLE    guest console device (ttyS0, ttyAMA0)
#   LANE_DMA_BITS   the address bits of the guest's DMA demo device (kd_qemu)
#   LANE_MEM        the guest's memory, qemu -m (KD_MEM overrides it):
#                   512M, or what the row's dma column needs (kd_qemu_dma)
#   LANE_APPEND     extra kernel command line for every boot of this lane
#   LANE_SLOW       integer multiplier for guest timeouts (1 = stock TCG),
#                   the row's "slow"
#   LANE_TESTS      the classes of guest tests the lane runs, the row's
#                   "tests" (kd_lane_runs)
#   LANE_SMP        the guest's CPUs, the row's "vcpus" (KD_SMP overrides
#                   it)
#   LANE_INFO       one line for the support table: "kernel arch page-size"
#   LANE_MODDIR     the kernel's modules directory (lib/modules/KVER), where
#                   the modules kmem_demo's modules depend on come from
#                   (kd_module_deps); empty: the lane has none to give
# Sourced by vm/lib.sh, never executed.

KD_LANES=$KD_ROOT/vm/lanes.tsv

# kd_lane_rows -- the registry's rows, without its comment lines.
kd_lane_rows() {
	[ -r "$KD_LANES" ] || kd_die "no lane registry $KD_LANES"
	awk '!/^#/ && NF' "$KD_LANES"
}

# kd_lane_row NAME -- the registry's row of lane NAME; nothing when none.
kd_lane_row() {
	kd_lane_rows | awk -v n="$1" '$1 == n'
}

# kd_lanes [KIND] -- every lane's name, in the registry's order; with KIND
# (checks, script, kernel) only the lanes whose "runs" column is KIND:FILE,
# with "test" only those "make test" runs by default (column "all": yes).
kd_lanes() {
	kd_lane_rows | awk -v k="${1:-}" 'k == "" || (k == "test" && $9 == "yes") ||
		index($2, k ":") == 1 { print $1 }'
}

# kd_lane_runs CLASSES TEST -- succeed when a lane running the test classes
# CLASSES (its row's "tests": "kernel,logic") runs TEST, a guest test file:
# one of the classes its "# kd-class:" line names (kernel when it has none)
# is among them.  KD_TEST_CLASSES=LIST stands for every lane's CLASSES.
kd_lane_runs() {
	local c classes
	classes=$(kd_header "$2" kd-class)
	for c in ${classes:-kernel}; do
		[[ ,${KD_TEST_CLASSES:-$1}, == *",$c,"* ]] && return 0
	done
	return 1
}

# kd_default_lane -- the lane of "make run" and "make bench" without
# KERNEL=: on Debian the distro lane, its release's own kernel; on any
# other host the host lane, the kernel installed here.  Says which and why
# on stderr.
kd_default_lane() {
	if kd_debian_host; then
		kd_log "KERNEL=distro: this host is $(kd_os PRETTY_NAME), and distro is its release's own kernel (KERNEL=host: the kernel installed here)"
		echo distro
	else
		kd_log "KERNEL=host: this host is $(kd_os PRETTY_NAME), not Debian: the kernel installed here, ${KVER:-$(uname -r)} (Debian's kernels: KERNEL=<lane>, see make help, with KD_DEBIAN_MIRROR)"
		echo host
	fi
}

# kd_page_size CONFIG -- the page size of the kernel whose .config is CONFIG.
kd_page_size() {
	local k
	k=$(sed -n 's/^CONFIG_ARM64_\([0-9]*\)K_PAGES=y$/\1/p' "$1")
	echo "${k:-4}KiB"
}

# kd_lane NAME -- prepare the kernel lane NAME: source the lane file its
# row names and run its lane_prepare, which sets the LANE_* variables,
# then set up qemu for the row's arch and cpu (kd_qemu).
# Dies for an unknown lane and for one that boots no kernel (the static
# checks, a script lane).
kd_lane() {
	local runs arch cpu slow nodes tests vcpus dma f
	read -r _ runs arch _ _ cpu slow nodes _ tests vcpus dma _ <<<"$(kd_lane_row "$1")"
	case $runs in
	kernel:*) f=$KD_ROOT/${runs#kernel:} ;;
	'') kd_die "unknown lane '$1' (have: $(kd_lanes kernel | paste -sd ' '))" ;;
	*) kd_die "lane '$1' boots no kernel (vm/lanes.tsv: it runs ${runs#*:}); pick a kernel lane: $(kd_lanes kernel | paste -sd ' ')" ;;
	esac
	[ -f "$f" ] || kd_die "lane $1: its lane file ${runs#kernel:} (vm/lanes.tsv) does not exist"
	[[ $slow =~ ^[1-9][0-9]*$ ]] || kd_die "lane $1: slow '$slow' in vm/lanes.tsv is not a whole number"
	[[ $nodes =~ ^[1-9][0-9]*$ ]] || kd_die "lane $1: nodes '$nodes' in vm/lanes.tsv is not a whole number"
	[[ $tests =~ ^[a-z]+(,[a-z]+)*$ ]] || kd_die "lane $1: tests '$tests' in vm/lanes.tsv is no list of test classes (kernel, logic, numa, fault, dma)"
	[[ $vcpus =~ ^[1-9][0-9]*$ ]] || kd_die "lane $1: vcpus '$vcpus' in vm/lanes.tsv is not a whole number"
	# shellcheck source=/dev/null
	. "$f"
	# shellcheck disable=SC2034 # read by the harness
	LANE_NAME=$1 LANE_SLOW=$slow LANE_APPEND='' LANE_MAKE_ARGS=() LANE_ROOT='' LANE_SPARSE='' LANE_MEM=512M
	# shellcheck disable=SC2034
	LANE_INFO='' LANE_MODDIR='' LANE_DEB_ARCH='' LANE_TESTS=$tests LANE_SMP=$vcpus
	lane_prepare "$1"
	kd_qemu "${LANE_DEB_ARCH:-$arch}" "$cpu" "$LANE_KERNEL"
	kd_qemu_dma "$dma"
	kd_qemu_numa "$nodes"
}

# kd_lane_exec CMD [ARG...] -- run CMD where the lane builds: on the host,
# or chrooted into LANE_ROOT with its own /proc (objtool reads
# /proc/self/limits) in a private mount namespace, which disappears with
# the command: nothing stays mounted, whatever happens to it.  The command
# runs as the calling user, who owns the build directory in the root.
kd_lane_exec() {
	if [ -z "$LANE_ROOT" ]; then
		"$@"
		return
	fi
	kd_root unshare --mount --fork --mount-proc="$LANE_ROOT/proc" \
		chroot --userspec="$(id -u):$(id -g)" "$LANE_ROOT" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LC_ALL=C.UTF-8 "$@"
}
