#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of how the VM gets the kernel's own modules that kmem_demo's
# modules depend on (kd_module_deps and kd_initramfs, vm/initramfs.sh), on
# a made-up modules directory: a module whose modinfo says
# "depends=dep_a,kunit" gets kunit (zstd) and what kunit needs (xz, gzip,
# plain), each once, in load order, unpacked byte for byte into /kd/deps;
# a dependency the directory lacks, and a lane with no modules directory,
# are refused naming the module.  Prints one line per problem; silent and
# status 0 when all is well.
set -uo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/build.sh"

need_pkgs kmod binutils zstd xz-utils cpio busybox-static
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
problem() { printf '%s\n' "$*"; }

# fake_ko FILE MODINFO... -- an ELF object whose .modinfo section holds the
# NUL-terminated MODINFO strings: what modinfo reads.
fake_ko() {
	local f=$1
	shift
	printf '%s\0' "$@" >"$t/modinfo.bin"
	(cd "$t" && objcopy -I binary -O elf64-x86-64 --rename-section .data=.modinfo \
		modinfo.bin "$f") || problem "objcopy could not make $f"
}

# The kernel's modules directory: kunit needs util_a and util_b, which
# needs util_c; dep_a needs util_b too.  One compression each.
m=$t/lib/modules/9.9.9
mkdir -p "$m/kernel/lib"
for n in kunit util_a util_b util_c dep_a; do
	fake_ko "$t/$n.ko" "name=$n" "license=GPL"
done
zstd -q "$t/kunit.ko" -o "$m/kernel/lib/kunit.ko.zst"
xz -c "$t/util_a.ko" >"$m/kernel/lib/util_a.ko.xz"
gzip -c "$t/util_b.ko" >"$m/kernel/lib/util_b.ko.gz"
cp "$t/util_c.ko" "$m/kernel/lib/util_c.ko"
cp "$t/dep_a.ko" "$m/kernel/lib/dep-a.ko"
cat >"$m/modules.dep" <<'EOF'
kernel/lib/util_c.ko:
kernel/lib/util_b.ko.gz: kernel/lib/util_c.ko
kernel/lib/util_a.ko.xz:
kernel/lib/kunit.ko.zst: kernel/lib/util_a.ko.xz kernel/lib/util_b.ko.gz kernel/lib/util_c.ko
kernel/lib/dep-a.ko: kernel/lib/util_b.ko.gz kernel/lib/util_c.ko
kernel/lib/other.ko:
EOF

# Ours: depends on dep_a (named with "_", the file with "-") and kunit.
b=$t/build
mkdir -p "$b"
fake_ko "$b/kmem_demo_kunit.ko" "name=kmem_demo_kunit" "depends=dep_a,kunit" "license=GPL"
echo "$b/kmem_demo_kunit.o" >"$b/modules.order"

want='kernel/lib/util_c.ko
kernel/lib/util_b.ko.gz
kernel/lib/util_a.ko.xz
kernel/lib/kunit.ko.zst
kernel/lib/dep-a.ko'
seen=$(kd_module_deps "$m" "$b/kmem_demo_kunit.ko" 2>&1) ||
	problem "kd_module_deps failed: $seen"
[ "$seen" = "$want" ] || problem "load order: expected $(paste -sd ' ' <<<"$want"), seen $(paste -sd ' ' <<<"$seen")"

# Into the initramfs: uncompressed, byte for byte, with their order.
LANE_NAME=fake LANE_SLOW=1 LANE_ROOT='' LANE_BUSYBOX=/bin/busybox LANE_MODDIR=$m
KD_TESTS_DIR=$t/none
(kd_initramfs "$b" "$t/img.cpio.gz" KD_MODE=test) >"$t/initramfs.log" 2>&1 ||
	problem "kd_initramfs failed: $(cat "$t/initramfs.log")"
mkdir -p "$t/x"
(cd "$t/x" && gzip -dc "$t/img.cpio.gz" | cpio -id --quiet) || problem "the initramfs does not unpack"
order=$(tr '\n' ' ' <"$t/x/kd/deps/order" 2>/dev/null)
[ "$order" = "util_c.ko util_b.ko util_a.ko kunit.ko dep-a.ko " ] ||
	problem "/kd/deps/order: expected 'util_c.ko util_b.ko util_a.ko kunit.ko dep-a.ko', seen '$order'"
for n in kunit util_a util_b util_c; do
	cmp -s "$t/$n.ko" "$t/x/kd/deps/$n.ko" || problem "/kd/deps/$n.ko is not $n.ko unpacked"
done
cmp -s "$t/dep_a.ko" "$t/x/kd/deps/dep-a.ko" || problem "/kd/deps/dep-a.ko is not dep-a.ko"
[ -f "$t/x/kd/kmem_demo_kunit.ko" ] || problem "the initramfs lacks our own module"

# Refusals: a dependency the directory lacks; a lane without a directory.
fake_ko "$b/kmem_demo_kunit.ko" "name=kmem_demo_kunit" "depends=kunit,nowhere" "license=GPL"
if out=$(kd_module_deps "$m" "$b/kmem_demo_kunit.ko" 2>&1); then
	problem "a missing dependency was not refused: $out"
else
	[[ $out == *"no module nowhere in modules.dep"* ]] || problem "missing dependency: the message does not name it: $out"
fi
if out=$(kd_module_deps '' "$b/kmem_demo_kunit.ko" 2>&1); then
	problem "a lane without a modules directory was not refused: $out"
else
	[[ $out == *"need the kernel's kunit nowhere"* ]] || problem "no modules directory: the message does not name the modules: $out"
fi
# Without dependencies there is nothing to take, from no directory at all.
fake_ko "$b/kmem_demo_kunit.ko" "name=kmem_demo_kunit" "license=GPL"
if ! out=$(kd_module_deps '' "$b/kmem_demo_kunit.ko" 2>&1) || [ -n "$out" ]; then
	problem "a module without dependencies: expected nothing, seen '$out'"
fi
exit 0
