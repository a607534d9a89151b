#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lanes/install.sh -- the "install" lane: install kmem_demo the ways a user
# would, in a throwaway Debian 12 root, and print KTAP on stdout.
#   make deb           builds, lintian has no error or warning
#   apt install ./kmem-demo-dkms_*.deb  DKMS builds it for the kernel whose
#                      headers are installed (6.1), dkms status says so
#   a kernel upgrade   installing backports' 6.12 headers afterwards makes
#                      DKMS build it for 6.12 too (the headers' postinst hook)
#                      each .ko has its kernel's vermagic and our version
#   the 6.1 DKMS module loads, reports and unloads in the distro lane's VM
#                      (tests/guest 10-load, 20-report)
#   apt purge          leaves no file of ours under /lib/modules,
#                      /var/lib/dkms or /usr/src
#   make install/uninstall KVER=  for 6.1 and 6.12: modinfo finds the
#                      module in updates/, then no longer
#   docs/install.md    its samples are this run's transcripts of the
#                      apt install and the upgrade
# The root (Debian 12 with backports, dkms and the 6.1 headers) is made
# once with mmdebstrap and kept in the cache; every run starts from it
# afresh: an overlay whose upper layer is thrown away at the end, mounted
# with /proc, /sys and /dev in a private mount namespace per command, so
# nothing stays mounted and nothing on the host changes.  Nothing is ever
# loaded into the host's kernel (modinfo only).
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

KD_TAP_LANE=install

echo 'KTAP version 1'
# Its root is Debian 12 and its VM boots the distro lane's kernel, which is
# Debian 12's 6.1 only on a Debian 12 host (CI's).
host=$(kd_host_release)
if [ "$host" != bookworm ]; then
	echo '1..1'
	echo "ok 1 install # SKIP the install lane tests Debian 12's kernels in the distro lane's VM; this host is $host"
	exit 0
fi
echo '1..12'

# The kernels: the distro lane's 6.1 (its VM boots the DKMS module) and the
# newest 6.12 of Debian 12's backports, resolved like a lane's.
kd_lane distro >&2
# shellcheck source=/dev/null
k61=$(. "$KD_CACHE/lanes/distro.env" && echo "$D_KVER")
bpo_env=$KD_CACHE/lanes/install-bpo.env
if [ ! -f "$bpo_env" ] || [ "$KD_CACHE/apt/bookworm-backports/.updated" -nt "$bpo_env" ]; then
	kd_apt bookworm-backports true
	lane_resolve install-bpo amd64 bookworm-backports amd64 "$bpo_env"
fi
# shellcheck source=/dev/null
k612=$(. "$bpo_env" && echo "$D_KVER")
kernels=("$k61" "$k612")

# The root: Debian 12 and its backports (the 6.12 headers, installed by
# the test as a kernel upgrade would), dkms with openssl (it signs what it
# builds), the 6.1 headers.
sources=$KD_CACHE/apt/install-sources.list
kd_apt bookworm true
{ kd_apt_sources bookworm; kd_apt_sources bookworm-backports; } >"$sources.tmp"
mv "$sources.tmp" "$sources"
base=$(kd_debian_root install bookworm "$sources" dkms openssl make "linux-headers-$k61")

mkdir -p "$KD_CACHE/tmp"
run=$(mktemp -d "$KD_CACHE/tmp/install.XXXXXX")
trap 'kd_root rm -rf "$run"' EXIT
mkdir -p "$run/upper/kd/src" "$run/vm"

# in_root CMD [ARG...] -- run CMD as root in the throwaway root.
# The .debs the upgrade downloads (the 6.12 headers) are kept between runs,
# as the debian13 lane keeps its own: a run saves the download, not the
# installation.
debs=$KD_CACHE/install-archives
mkdir -p "$debs/partial"
in_root() { kd_overlay_exec "$base" "$run" --bind "$debs" /var/cache/apt/archives "$@"; }

# 1. make deb (its own lintian verdict).
if deb=$("$KD_ROOT/scripts/deb.sh" --out "$run/upper/kd" 2>"$run/deb.log"); then
	sed -n 's/^lintian: /# lintian: /p' "$run/deb.log"
	kd_ok "make-deb: ${deb##*/}, lintian: no error or warning"
else
	kd_not_ok make-deb 'a .deb, lintian without error or warning' "$(tail -n 30 "$run/deb.log")"
fi
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$KD_ROOT/dkms.conf")
cp -a "$KD_ROOT/Kbuild" "$KD_ROOT/Makefile" "$KD_ROOT/dkms.conf" "$KD_ROOT/src" "$run/upper/kd/src/"

# dkms_status -- "module/version, kernel, arch: state" lines, sorted.
# (dkms status warns on stderr about the headers' vmlinux-less tree.)
dkms_status() { in_root dkms status 2>/dev/null | LC_ALL=C sort; }
# expect_status KERNEL... -- what dkms_status says when built for KERNEL...
expect_status() {
	for k in "$@"; do echo "kmem-demo/$version, $k, x86_64: installed"; done | LC_ALL=C sort
}
# tree -- every path under the directories a DKMS package writes to.
tree() { in_root find /lib/modules /var/lib/dkms /usr/src | LC_ALL=C sort; }

# transcript NAME CMD LOG STATUS -- $KD_CACHE/logs/NAME.log: CMD as typed,
# its output LOG, then dkms status and its STATUS, which docs/install.md's
# samples show (checked at the end).
transcript() {
	mkdir -p "$KD_CACHE/logs"
	printf '$ %s\n%s\n\n$ dkms status\n%s\n' "$2" "$(cat "$3")" "$4" >"$KD_CACHE/logs/$1.log"
}

rm -f "$KD_CACHE/logs/install-apt.log" "$KD_CACHE/logs/install-upgrade.log"
# 2. apt install ./kmem-demo-dkms_*.deb: DKMS builds for the 6.1 headers.
before=$(tree)
if in_root apt-get install -y -q "/kd/kmem-demo-dkms_${version}_all.deb" >"$run/apt.log" 2>&1; then
	sed 's/^/# /' "$run/apt.log"
	seen=$(dkms_status)
	printf '# dkms status\n%s\n' "$seen" | sed '2,$s/^/# /'
	transcript install-apt "apt-get install -y -q /kd/kmem-demo-dkms_${version}_all.deb" \
		"$run/apt.log" "$seen"
	kd_check "apt-install: DKMS builds it for the installed kernel" "$(expect_status "$k61")" "$seen"
else
	kd_not_ok apt-install "apt-get install ./kmem-demo-dkms_${version}_all.deb succeeds" "$(tail -n 40 "$run/apt.log")"
fi

# 3. A kernel upgrade: new headers arrive, their postinst runs DKMS's hook
# (/etc/kernel/header_postinst.d/dkms), which builds our module for them.
if in_root sh -c "apt-get update -q && apt-get install -y -q linux-headers-$k612" \
	>"$run/upgrade.log" 2>&1; then
	grep -iE 'dkms|kmem' "$run/upgrade.log" | sed 's/^/# /'
	seen=$(dkms_status)
	transcript install-upgrade "apt-get update -q && apt-get install -y -q linux-headers-$k612" \
		"$run/upgrade.log" "$seen"
	kd_check "kernel-upgrade: installing $k612's headers builds it for $k612" \
		"$(expect_status "${kernels[@]}")" "$seen"
else
	kd_not_ok kernel-upgrade "apt-get install linux-headers-$k612 succeeds" "$(tail -n 40 "$run/upgrade.log")"
fi

# 4-5. Each DKMS-built module: its kernel's vermagic, the project's version.
for k in "${kernels[@]}"; do
	seen=$(in_root sh -c "f=\$(modinfo -k $k -F filename kmem_demo) && echo \"\$f\" &&
		modinfo -F vermagic \"\$f\" | cut -d' ' -f1 && modinfo -F version \"\$f\" &&
		echo \"# signer: \$(modinfo -F signer \"\$f\")\" >&2" 2>"$run/signer" || true)
	sed -n 's/^# signer/# dkms\/'"$k"' signer/p' "$run/signer"
	f=$(head -n1 <<<"$seen")
	kd_check "dkms/$k: vermagic and version" "/lib/modules/$k/updates/dkms/${f##*/}
$k
$version" "$seen"
done
in_root sh -c "cat \"\$(modinfo -k $k61 -F filename kmem_demo)\"" >"$run/vm/kmem_demo.ko" 2>/dev/null || true

# 6. The 6.1 module DKMS built, in the distro lane's VM: the guest tests
# 10-load and 20-report, as the lane runs them on its own build.
printf '%s\n' "$run/vm/kmem_demo.ko" >"$run/vm/modules.order"
# The guest's helpers (the test runner reads the kernel log with kd-kmsg),
# built by the distro lane's compiler, kept between runs.
hdir=$(kd_build_dir -install-vm)
kd_mirror_helpers "$hdir"
kd_build_helpers "$hdir"
cp -a "$hdir/helpers" "$run/vm/"
if [ -s "$run/vm/kmem_demo.ko" ]; then
	img=$KD_CACHE/initramfs/install-dkms.cpio.gz
	log=$KD_CACHE/logs/install-dkms.log
	mkdir -p "${img%/*}" "${log%/*}"
	kd_initramfs "$run/vm" "$img" KD_MODE=test KD_TESTS="10-load.sh 20-report.sh" KD_TEST_TIMEOUT=60
	st=0
	# shellcheck disable=SC2046 # kd_boot_args is a word list
	KD_BOOT_TIMEOUT=$((300 * LANE_SLOW)) kd_boot_tests "install/vm (10-load 20-report)" \
		"$img" "$log" $(kd_boot_args slub) || st=$?
	# Read once into a variable: "grep -q" on a pipe ends it early, and
	# under pipefail the writer's SIGPIPE would fail the test.
	ktap=$(guest_ktap "$log" "$KD_NONCE")
	printf '%s\n' "$ktap" | sed 's/^/  /'
	if [ "$st" -eq 0 ] && grep -q '^ok ' <<<"$ktap" && ! grep -q '^not ok ' <<<"$ktap"; then
		kd_ok "vm/$k61: the DKMS module loads, reports, unloads"
	else
		kd_not_ok "vm/$k61" 'guest status 0, every guest test ok' \
			"guest status $st (console $log): $(tail -n 20 "$log" | tr -d '\r')"
	fi
else
	kd_not_ok "vm/$k61" "a DKMS-built kmem_demo.ko for $k61" 'none'
fi

# 7. apt purge: nothing of ours left.  depmod's indexes (modules.*) are
# rewritten, dkms keeps its own signing key (mok.key, mok.pub), and the
# upgrade's packages (the 6.12 headers, kbuild) own their files: none of
# those is ours.
in_root apt-get purge -y -q kmem-demo-dkms >"$run/purge.log" 2>&1 || true
owned=$(in_root sh -c "dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\n' 'linux-*' |
	awk '\$1 == \"ii\" { print \$2 }' | xargs dpkg -L" | LC_ALL=C sort -u || true)
seen=$(LC_ALL=C comm -13 <(echo "$before") <(tree) | LC_ALL=C comm -23 - <(echo "$owned") |
	grep -vE '^/lib/modules/[^/]+/modules\.[a-z.]+$|^/var/lib/dkms/mok\.(key|pub)$' || true)
kd_check 'apt-purge: nothing left under /lib/modules, /var/lib/dkms, /usr/src' '' "$seen"

# 8-11. make install / make uninstall with KVER=, per kernel (after the
# purge: updates/ holds nothing of DKMS).
for k in "${kernels[@]}"; do
	# The kernel may compress it on install (6.12: .ko.xz).
	seen=$(in_root sh -c "make -C /kd/src KVER=$k install >/kd/install-$k.log 2>&1 &&
		modinfo -k $k -F filename kmem_demo && modinfo -k $k -F version kmem_demo" 2>&1 || true)
	printf '# make install KVER=%s: %s\n' "$k" "$(head -n1 <<<"$seen")"
	kd_check "make-install/$k" "/lib/modules/$k/updates/kmem_demo.ko
$version" "$(sed '1s/\.ko\.[a-z]*$/.ko/' <<<"$seen")"
	seen=$(in_root sh -c "make -C /kd/src KVER=$k uninstall >/kd/uninstall-$k.log 2>&1 &&
		{ modinfo -k $k -F filename kmem_demo 2>&1 || true; ls /lib/modules/$k/updates; }" 2>&1 || true)
	kd_check "make-uninstall/$k" "modinfo: ERROR: Module kmem_demo not found." "$seen"
done

# 12. docs/install.md's samples: this run's transcripts.
kd_samples_ok install-

