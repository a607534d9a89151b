# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# QEMU: whether KVM works here, the kernel image that boots fastest under
# TCG, and each architecture's machine.  Sourced by vm/lib.sh, never
# executed.

# kd_kvm_ok KERNEL -- succeed when KVM really runs guests on this host.
# /dev/kvm can exist and still hang the guest (nested virtualisation without
# support), so boot KERNEL without an initrd and require its "no root fs"
# panic within a few seconds.  That cannot change while the host is up, so
# the verdict is cached per host boot (boot_id) and per qemu version.
# KD_ACCEL=kvm|tcg skips the probe.
kd_kvm_ok() {
	case ${KD_ACCEL:-} in kvm) return 0 ;; tcg) return 1 ;; esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local id f
	id=$(cat /proc/sys/kernel/random/boot_id)-$(qemu-system-x86_64 --version | head -n1 | tr -cd '0-9.')
	f=$KD_CACHE/kvm-verdict-$id
	if [ ! -f "$f" ]; then
		kd_log "probing KVM (once per host boot)"
		rm -f "$KD_CACHE"/kvm-verdict-*
		# A file, not a pipe: grep -q quitting early would SIGPIPE qemu.
		timeout 6 qemu-system-x86_64 -accel kvm -machine pc -cpu host -m 256M \
			-nodefaults -display none -monitor none -serial stdio -no-reboot \
			-kernel "$1" -append 'console=ttyS0 panic=-1' \
			</dev/null >"$f.log" 2>&1 || true
		if grep -a -q 'Kernel panic' "$f.log"; then echo yes; else echo no; fi >"$f"
		rm -f "$f.log"
	fi
	[ "$(cat "$f")" = yes ]
}

# kd_x86_vmlinux BZIMAGE -- print a kernel for qemu -kernel that boots fast
# under TCG: the ELF vmlinux inside an xz or zstd bzImage, cached.  qemu
# enters it through its PVH note, which skips the real-mode setup and,
# above all, the decompression, the slowest part of an emulated boot.
# Prints BZIMAGE itself when there is nothing usable to extract.
kd_x86_vmlinux() {
	local bz=$1 out off name
	# 7.x keeps the image as modules/<version>/vmlinuz: name it by version.
	name=$(basename "$bz")
	[ "$name" != vmlinuz ] || name=vmlinuz-$(basename "$(dirname "$bz")")
	out=$KD_CACHE/kernel/$name.vmlinux
	if [ ! -s "$out" ] || [ "$bz" -nt "$out" ]; then
		need_pkgs xz-utils zstd lz4 binutils
		mkdir -p "$KD_CACHE/kernel"
		rm -f "$out" "$out.tmp"
		# The payload is vmlinux plus relocations: the decompressor
		# reports the trailing bytes as an error, the ELF is complete by
		# then.  Each compression a distribution uses, by its magic: xz
		# (Debian up to 6.1), zstd (Debian's 6.12 and 7.x, Fedora, Arch),
		# lz4 (Ubuntu), gzip.
		local magic unpack
		while read -r magic unpack; do
			# shellcheck disable=SC2059 # the magic is a printf format
			off=$(LC_ALL=C grep -a -b -o -m1 "$(printf "$magic")" "$bz" | head -n1 | cut -d: -f1) || true
			[ -n "$off" ] || continue
			# shellcheck disable=SC2086 # a command and its arguments
			tail -c +"$((off + 1))" "$bz" | $unpack >"$out.tmp" 2>/dev/null || true
			# PVH entry point: Xen ELF note type 18 (PHYS32_ENTRY).
			if readelf -n "$out.tmp" 2>/dev/null | grep '(0x00000012)' >/dev/null; then
				mv "$out.tmp" "$out"
				break
			fi
		done <<-'EOF'
			\xfd7zXZ xz -dc --single-stream
			\x28\xb5\x2f\xfd zstd -dc
			\x02\x21\x4c\x18 lz4 -dc
			\x1f\x8b\x08 gzip -dc
		EOF
		rm -f "$out.tmp"
		if [ ! -s "$out" ]; then
			kd_log "no PVH vmlinux in $bz: booting it as is (slower)"
			printf '%s\n' "$bz"
			return 0
		fi
	fi
	printf '%s\n' "$out"
}

# kd_qemu ARCH CPU KERNEL -- set LANE_ARCH, LANE_CONSOLE and LANE_QEMU for a
# guest of the Debian architecture ARCH on qemu -cpu CPU (a kernel lane's
# row: arch, cpu) that boots KERNEL, and install that qemu.  -nodefaults
# drops the NIC and its option ROM; KD_SMP sets the CPUs (default: the
# lane's LANE_SMP, else 2).
#   amd64  q35 with qboot, the machine that boots quickest under TCG (qemu's
#          own BIOS where the host's qemu has no qboot.rom); KVM
#          with -cpu host when it really runs guests (kd_kvm_ok KERNEL),
#          else TCG.  KD_QEMU_MACHINE, KD_QEMU_CPU, KD_QEMU_BIOS override.
#   arm64  virt under TCG; KD_QEMU_CPU_ARM64 overrides CPU.  With 4 KiB
#          pages its RAM starts at 1 GiB and ZONE_DMA covers it up to 4
#          GiB, so with -m 512M all memory is DMA and DMA32 is empty.
# Every guest has the DMA demo device, QEMU's edu (src/edu.c), and
# LANE_DMA_BITS is the address bits it drives, which the guest passes as
# dma_bits= where it differs from the module's default (28, the device's
# own): on arm64 virt no RAM lies within 28 bits, so its edu gets 32.
# shellcheck disable=SC2034 # read by the harness
kd_qemu() {
	local arch=$1 cpu=$2 bios
	case $cpu in '' | -) kd_die "lane ${LANE_NAME:-?}: no qemu -cpu in its vm/lanes.tsv row" ;; esac
	case $arch in
	amd64)
		need_pkgs qemu-system-x86
		LANE_ARCH=x86 LANE_CONSOLE=ttyS0
		LANE_QEMU=(qemu-system-x86_64 -machine "${KD_QEMU_MACHINE:-q35}" -smp "${KD_SMP:-${LANE_SMP:-2}}" -nodefaults)
		# qboot where this qemu has it (Debian's and Ubuntu's do), else
		# qemu's own SeaBIOS.
		bios=${KD_QEMU_BIOS-/usr/share/qemu/qboot.rom}
		if [ -n "$bios" ] && { [ -n "${KD_QEMU_BIOS:-}" ] || [ -f "$bios" ]; }; then
			LANE_QEMU+=(-bios "$bios")
		fi
		if kd_kvm_ok "$3"; then
			LANE_QEMU+=(-accel kvm -cpu host)
		else
			LANE_QEMU+=(-accel tcg -cpu "${KD_QEMU_CPU:-$cpu}")
		fi
		LANE_DMA_BITS=28
		LANE_QEMU+=(-device edu)
		;;
	arm64)
		need_pkgs qemu-system-arm
		LANE_ARCH=arm64 LANE_CONSOLE=ttyAMA0
		LANE_DMA_BITS=32
		LANE_QEMU=(qemu-system-aarch64 -machine virt -cpu "${KD_QEMU_CPU_ARM64:-$cpu}"
			-smp "${KD_SMP:-${LANE_SMP:-2}}" -nodefaults -accel tcg
			-device "edu,dma_mask=$(printf '0x%x' $(((1 << LANE_DMA_BITS) - 1)))")
		;;
	*) kd_die "lane ${LANE_NAME:-?}: arch '$arch' in vm/lanes.tsv is neither amd64 nor arm64" ;;
	esac
}

# kd_qemu_dma KIND -- how the kernel reaches memory for the DMA demo
# device, the row's dma column (vm/lanes.tsv): edu as kd_qemu set it up;
# swiotlb, every streaming mapping bounced (swiotlb=force) on a machine
# of 256 MiB, all of which edu's 28 bits reach, swiotlb's buffers too; or
# iommu, so that every address the device gets is an I/O virtual address:
# on amd64 an Intel IOMMU (q35's intel-iommu, created before the devices
# behind it) that the kernel turns on (intel_iommu=on); on arm64 virt's
# SMMUv3, which Debian's arm64 kernels use as they find it, and edu keeps
# its own 28 bits, which reach none of virt's RAM (from 1 GiB) but all of
# the I/O virtual addresses the SMMU maps it at.  Sets LANE_APPEND,
# LANE_MEM, LANE_QEMU and LANE_DMA_BITS.
kd_qemu_dma() {
	local i
	case $1 in
	edu) ;;
	iommu)
		if [ "$LANE_ARCH" = arm64 ]; then
			for i in "${!LANE_QEMU[@]}"; do
				case ${LANE_QEMU[i]} in
				virt) LANE_QEMU[i]=virt,iommu=smmuv3 ;;
				edu,*) LANE_QEMU[i]=edu ;;
				esac
			done
			LANE_DMA_BITS=28
			return 0
		fi
		for i in "${!LANE_QEMU[@]}"; do
			[[ ${LANE_QEMU[i]} != edu* ]] || break
		done
		LANE_QEMU=("${LANE_QEMU[@]:0:i-1}" -device intel-iommu "${LANE_QEMU[@]:i-1}")
		LANE_APPEND="$LANE_APPEND intel_iommu=on"
		;;
	swiotlb)
		[ "$LANE_DMA_BITS" = 28 ] ||
			kd_die "lane ${LANE_NAME:-?}: dma swiotlb in vm/lanes.tsv needs edu's 28 bits (amd64), not $LANE_DMA_BITS"
		# A small machine: swiotlb's pool of 8192 slots of 2 KiB (16 MiB,
		# not its 64 MiB default) and a kernel log of 8 MiB (not the
		# harness's 32 MiB, which costs more than that at boot) leave
		# the tests room for a traced load.
		LANE_APPEND="$LANE_APPEND swiotlb=8192,force log_buf_len=8M"
		LANE_MEM=256M
		;;
	*) kd_die "lane ${LANE_NAME:-?}: dma '$1' in vm/lanes.tsv is none of edu, swiotlb, iommu" ;;
	esac
}

# kd_qemu_numa NODES -- with more than one node, split the guest's memory
# (KD_MEM, default 512M) and CPUs (KD_SMP, default 2) evenly over NODES
# NUMA nodes: one RAM backend per node, and the CPUs in order.  The guest
# learns the layout from the firmware tables (ACPI SRAT, or the device tree
# on arm64); distances between nodes are declared only: under TCG remote
# memory is no slower than local.  Sets LANE_QEMU and LANE_APPEND.
kd_qemu_numa() {
	local nodes=$1 mem=${KD_MEM:-${LANE_MEM:-512M}} smp=${KD_SMP:-${LANE_SMP:-2}} mib i
	[ "$nodes" -gt 1 ] || return 0
	case $mem in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) kd_die "lane $LANE_NAME: KD_MEM=$mem: give it in M or G (e.g. 512M) to split it over $nodes NUMA nodes" ;;
	esac
	if ! [[ $mib =~ ^[0-9]+$ ]] || [ $((mib % nodes)) -ne 0 ] || [ $((smp % nodes)) -ne 0 ]; then
		kd_die "lane $LANE_NAME: KD_MEM=$mem and KD_SMP=$smp do not split evenly over $nodes NUMA nodes (memory in MiB and CPUs each a multiple of $nodes)"
	fi
	# Sockets make an x86 kernel check that their TSCs agree; under TCG
	# a busy host can fail that check, and the kernel then reads the time
	# from the HPET, whose every read is emulated, which would skew every
	# timing.  QEMU's TSC is one clock for all vCPUs: tell the kernel.
	[ "$LANE_ARCH" != x86 ] || LANE_APPEND="$LANE_APPEND tsc=reliable"
	# One socket per node: CPUs of one socket share a last-level cache,
	# which the kernel expects within one node (it warns otherwise).
	for i in "${!LANE_QEMU[@]}"; do
		[ "${LANE_QEMU[i]}" = -smp ] && LANE_QEMU[i + 1]="$smp,sockets=$nodes,cores=$((smp / nodes)),threads=1"
	done
	for ((i = 0; i < nodes; i++)); do
		LANE_QEMU+=(-object "memory-backend-ram,id=kd-node$i,size=$((mib / nodes))M"
			-numa "node,nodeid=$i,cpus=$((i * smp / nodes))-$(((i + 1) * smp / nodes - 1)),memdev=kd-node$i")
	done
}
