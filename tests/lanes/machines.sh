#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lanes/machines.sh -- the "machines" lane: the host lane (KERNEL=host,
# vm/lanes/host.sh) and the choice of lane on the machines learners have,
# each one a throwaway root made from Debian's archive with a fresh clone
# of this project (its working tree as it is now), and KTAP on stdout:
#   debian   a Debian 12 machine with a kernel and its headers installed
#            through apt: make run KERNEL=host KVER=<it> shows the report
#            from that kernel, cold and warm; make test LANES=host passes
#            (the tests of both boot groups that show the lane works: its
#            kernel is the distro lane's, where the whole suite runs)
#   ubuntu   the same machine saying it is Ubuntu (os-release, an Ubuntu
#            archive in its apt sources that cannot be reached, uname -r the
#            installed kernel), the harness's tools installed: make run picks
#            the host lane by itself, says why, shows the report; make run
#            KERNEL=bullseye stops at once naming KD_DEBIAN_MIRROR, and with
#            KD_DEBIAN_MIRROR set to this machine's mirror shows bullseye's
#            report
#   fedora   the image only in /lib/modules/KVER/vmlinuz, readable by root
#            only, the learner not root: found, read once through sudo into
#            the cache, booted
#   noapt    a Fedora without QEMU (no apt, no dpkg): make run prints the dnf
#            command that installs it, exits non-zero, changes nothing
#   errors   an image only root may read and no sudo, missing headers, a
#            KVER that is not installed: each its message, exit non-zero
# and docs/own-machine.md's samples are these machines' logs.
# The base root is made once with mmdebstrap and kept in the cache; each
# machine is an overlay on it (kd_overlay_exec) thrown away at the end.  QEMU
# runs under TCG inside the chroot.  Nothing on the host changes.
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"

KD_TAP_LANE=machines
suite=bookworm

echo 'KTAP version 1'
if [ "$(kd_host_release)" != "$suite" ] || [ "$(uname -m)" != x86_64 ]; then
	echo '1..1'
	echo "ok 1 machines # SKIP its machines are Debian 12 amd64 roots, made from this host's own archive; this host is $(kd_os PRETTY_NAME), $(uname -m)"
	exit 0
fi
echo '1..16'

# The base: Debian 12 with its kernel and headers installed through apt, as
# on a learner's machine, git and make, and every tool the harness uses on
# the host lane and on a Debian lane built in a root (mmdebstrap), so that
# the machines that cannot reach an archive need none.
sources=$KD_CACHE/apt/machines-sources.list
kd_apt_sources "$suite" >"$sources.tmp"
mv "$sources.tmp" "$sources"
base=$(kd_debian_root machines "$suite" "$sources" git make ca-certificates sudo \
	linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio rsync \
	xz-utils zstd lz4 binutils kmod libc6-dev python3 librsvg2-bin mmdebstrap)
kver=$(find "$base/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
if [ -z "$kver" ] || [ ! -e "$base/lib/modules/$kver/build/" ] && [ ! -L "$base/lib/modules/$kver/build" ]; then
	kd_die "machines: the base root $base has no kernel with headers"
fi
uri=$(kd_host_sources | awk '$2 == "'"$suite"'" { print $1; exit }')
echo "# base root: Debian 12, kernel $kver installed with its headers; mirror of this machine's apt"

accel=${KD_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	[ "$(cat "$KD_CACHE"/kvm-verdict-* 2>/dev/null)" != yes ] || accel=kvm
fi
mkdir -p "$KD_CACHE/tmp" "$KD_CACHE/logs"
work=$(mktemp -d "$KD_CACHE/tmp/machines.XXXXXX")
trap 'kd_root rm -rf "$work"' EXIT
kd_fresh_clone "$work/clone"

# machine NAME -- start machine NAME: a fresh overlay on the base, with the
# clone in root's home.  on NAME CMD runs CMD as root there, as_learner NAME
# CMD as the user "learner" in the clone in its home (add_learner NAME
# makes it).  The machines use the accelerator this harness found (TCG
# unless it found KVM working), instead of each probing anew.
machine() {
	mkdir -p "$work/$1/upper/root" "$work/$1/upper/home"
	cp -a "$work/clone" "$work/$1/upper/root/kmem_demo"
}
on() {
	local m=$1
	shift
	kd_overlay_exec "$base" "$work/$m" env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		KD_SHARE="${KD_SHARE:-1}" KD_ACCEL="$accel" sh -c "$*" </dev/null
}
add_learner() {
	on "$1" "useradd -m learner && cp -a /root/kmem_demo /home/learner/ &&
		chown -R learner: /home/learner/kmem_demo"
}
as_learner() {
	local m=$1
	shift
	on "$m" "runuser -u learner -- env HOME=/home/learner sh -c $(kd_shq "cd ~/kmem_demo && $*")"
}

# timed NAME LOG CMD... -- run CMD (a machine's "on" or "as_learner"),
# output to LOG; say its exit status and wall time, return the status.
timed() {
	local name=$1 log=$2 t rc=0
	shift 2
	t=$EPOCHREALTIME
	"$@" >"$log" 2>&1 || rc=$?
	echo "# $name: exit $rc after $(kd_elapsed "$t")s (log: $log)"
	return "$rc"
}

# report_from LOG KVER -- ok when LOG shows the report (its sections) and
# the guest's "uname -r" printed KVER.
report_from() {
	grep -q '^\[kmalloc\]' "$1" && grep -q '^\[vmalloc\]' "$1" &&
		[ "$(tr -d '\r' <"$1" | sed -n '/^\$ uname -r$/{n;p;q}')" = "$2" ]
}

# check_run NAME LOG KVER STATUS -- the result of a make run expected to
# show the report of KVER.
check_run() {
	if [ "$4" -eq 0 ] && report_from "$2" "$3"; then
		kd_ok "$1: the report, the guest running $3"
	else
		kd_not_ok "$1" "exit 0, the report ([kmalloc], [vmalloc]), uname -r $3" \
			"exit $4: $(tail -n 40 "$2")"
	fi
}

# check_refusal NAME LOG STATUS TEXT... -- the result of a command expected
# to stop with a message holding every TEXT (fixed strings).
check_refusal() {
	local name=$1 log=$2 st=$3 t miss=''
	shift 3
	for t in "$@"; do
		grep -qF -- "$t" "$log" || miss="$miss [$t]"
	done
	if [ "$st" -ne 0 ] && [ -z "$miss" ]; then
		kd_ok "$name: exit $st, $(grep -m1 'error:' "$log" | sed 's/^\[kmem_demo\] error: //' | cut -c1-100)"
	else
		kd_not_ok "$name" "a non-zero exit and a message with:$(printf ' [%s]' "$@")" \
			"exit $st, missing:${miss:- none}; $(tail -n 20 "$log")"
	fi
}

L=$KD_CACHE/logs/machines
host_tests='^(10-load|20-report|22-lab|60-pointers)\.sh$'

# 1-4. A learner's Debian machine.
machine debian
st=0
timed 'debian: make run KERNEL=host' "$L-debian-run.log" \
	on debian "cd /root/kmem_demo && make run KERNEL=host KVER=$kver PICTURES=0" || st=$?
check_run debian/make-run-host "$L-debian-run.log" "$kver" "$st"
# Again, warm: what a learner's second make run costs.
st=0
timed 'debian: make run KERNEL=host, warm' "$L-debian-run2.log" \
	on debian "cd /root/kmem_demo && make run KERNEL=host KVER=$kver PICTURES=0" || st=$?
tail -n 1 "$L-debian-run2.log" | sed 's/^/# /'
check_run debian/make-run-host-warm "$L-debian-run2.log" "$kver" "$st"
# The host lane's kernel here is the distro lane's, which runs the whole
# suite: here the tests of both boot groups that show the host lane
# builds, boots and reports.
st=0
timed 'debian: make test LANES=host' "$L-debian-test.log" \
	on debian "cd /root/kmem_demo && KD_TEST_FILTER='$host_tests' make test LANES=host KVER=$kver" || st=$?
sed -n 's/^# kd-summary: /# host lane: /p' "$L-debian-test.log"
sok=0
summary=$(kd_summary_ok "$L-debian-test.log") || sok=$?
if [ "$st" -eq 0 ] && [ "$sok" -eq 0 ] &&
	grep -q '^ok [0-9]* host/slub/20-report' "$L-debian-test.log" &&
	grep -q '^ok [0-9]* host/plain/60-pointers' "$L-debian-test.log"; then
	kd_ok "debian/make-test-host: $summary"
else
	kd_not_ok debian/make-test-host 'exit 0, N passed, 0 failed, host/slub/20-report and host/plain/60-pointers ok' \
		"exit $st, $summary: $(kd_failed_excerpt "$L-debian-test.log")"
fi
kd_check debian/test-kernel "the guest suite on $kver" \
	"the guest suite on $(sed -n 's/^# kd-lane: host \([^ ]*\) .*/\1/p' "$L-debian-test.log" | head -n 1)"

# 5-8. An Ubuntu-like machine: its own archive, which cannot be reached.
machine ubuntu
on ubuntu "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* &&
	printf '%s\n' 'Types: deb' 'URIs: http://archive.ubuntu.invalid/ubuntu' \
		'Suites: noble noble-updates' 'Components: main universe' \
		>/etc/apt/sources.list.d/ubuntu.sources &&
	rm -f /etc/os-release /usr/lib/os-release &&
	printf '%s\n' 'PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"' 'NAME=\"Ubuntu\"' 'VERSION_ID=\"24.04\"' \
		'VERSION_CODENAME=noble' 'ID=ubuntu' 'ID_LIKE=debian' >/etc/os-release &&
	printf '%s\n' '#!/bin/sh' 'if [ \"\$1\" = -r ]; then echo $kver; else exec /bin/uname \"\$@\"; fi' \
		>/usr/local/bin/uname && chmod +x /usr/local/bin/uname"
st=0
timed 'ubuntu: make run' "$L-ubuntu-run.log" on ubuntu "cd /root/kmem_demo && make run PICTURES=0" || st=$?
check_run ubuntu/make-run "$L-ubuntu-run.log" "$kver" "$st"
if grep -q "KERNEL=host: this host is Ubuntu 24.04.1 LTS, not Debian" "$L-ubuntu-run.log"; then
	kd_ok 'ubuntu/make-run-says-why: KERNEL=host, not Debian'
else
	kd_not_ok ubuntu/make-run-says-why '[kmem_demo] KERNEL=host: this host is Ubuntu 24.04.1 LTS, not Debian...' \
		"$(grep -m3 'KERNEL=' "$L-ubuntu-run.log" || echo 'no such line')"
fi
st=0
timed 'ubuntu: make run KERNEL=bullseye' "$L-ubuntu-bullseye-refused.log" \
	on ubuntu "cd /root/kmem_demo && make run KERNEL=bullseye" || st=$?
check_refusal ubuntu/debian-lane-needs-mirror "$L-ubuntu-bullseye-refused.log" "$st" \
	KD_DEBIAN_MIRROR 'is not Debian'
st=0
timed 'ubuntu: KD_DEBIAN_MIRROR=... make run KERNEL=bullseye' "$L-ubuntu-bullseye.log" \
	on ubuntu "cd /root/kmem_demo && KD_DEBIAN_MIRROR=$uri make run KERNEL=bullseye PICTURES=0" || st=$?
k510=$(sed -n 's/^\[kmem_demo\] lane bullseye (\([^ ]*\) .*/\1/p' "$L-ubuntu-bullseye.log" | tail -n 1)
if [ "$st" -eq 0 ] && [[ $k510 == 5.10.* ]] && report_from "$L-ubuntu-bullseye.log" "$k510"; then
	kd_ok "ubuntu/debian-lane-with-mirror: bullseye's report, the guest running $k510"
else
	kd_not_ok ubuntu/debian-lane-with-mirror 'exit 0, the report of a 5.10 kernel' \
		"exit $st: $(tail -n 40 "$L-ubuntu-bullseye.log")"
fi

# 9-10. The Fedora layout: the image only in the modules directory, and only
# root may read it; the learner may use sudo.
machine fedora
on fedora "mv /boot/vmlinuz-$kver /lib/modules/$kver/vmlinuz && chmod 0600 /lib/modules/$kver/vmlinuz"
add_learner fedora
on fedora "echo 'learner ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/learner"
st=0
timed 'fedora: make run KERNEL=host (as learner)' "$L-fedora-run.log" \
	as_learner fedora "make run KERNEL=host KVER=$kver PICTURES=0" || st=$?
check_run fedora/make-run-modules-dir "$L-fedora-run.log" "$kver" "$st"
copy=$work/fedora/upper/home/learner/.cache/kmem_demo/lanes/host/$kver/vmlinuz-$kver
if grep -q "from /lib/modules/$kver/vmlinuz," "$L-fedora-run.log" &&
	grep -q "reading it once through sudo into" "$L-fedora-run.log" && [ -s "$copy" ] &&
	cmp -s "$copy" "$base/boot/vmlinuz-$kver"; then
	kd_ok "fedora/image-through-sudo: /lib/modules/$kver/vmlinuz, read once through sudo into the cache"
else
	kd_not_ok fedora/image-through-sudo "the image found in /lib/modules/$kver, copied through sudo to $copy" \
		"$(grep -E 'host lane|sudo' "$L-fedora-run.log" | head -n 5); copy: $(ls -l "$copy" 2>&1)"
fi

# 11-12. A Fedora without QEMU, without apt: nothing installed, one command.
machine noapt
on noapt "rm -f /usr/bin/apt-get /usr/bin/apt /usr/bin/apt-cache /usr/bin/dpkg /usr/bin/dpkg-query \
		/usr/bin/qemu-system-x86_64 /etc/os-release /usr/lib/os-release &&
	printf '%s\n' 'NAME=\"Fedora Linux\"' 'VERSION_ID=41' 'ID=fedora' \
		'PRETTY_NAME=\"Fedora Linux 41 (Workstation Edition)\"' >/etc/os-release"
# Every file of the machine but the clone, the harness's cache and /tmp.
files() {
	(cd "$work/noapt/upper" && find . \( -path ./root/kmem_demo -o -path ./root/.cache -o -path ./tmp \) \
		-prune -o -print | LC_ALL=C sort)
}
before=$(files)
st=0
timed 'noapt: make run' "$L-noapt-run.log" on noapt "cd /root/kmem_demo && make run" || st=$?
check_refusal noapt/make-run-install-command "$L-noapt-run.log" "$st" \
	'sudo dnf install qemu-system-x86-core' 'Fedora Linux 41' 'nothing was changed'
kd_check noapt/nothing-changed '' "$(diff <(echo "$before") <(files) || true)"

# 13-15. The documented refusals, as a learner without sudo.
machine errors
on errors "rm -f /usr/bin/sudo && chmod 0600 /boot/vmlinuz-$kver"
add_learner errors
st=0
timed 'errors: unreadable image' "$L-errors-image.log" \
	as_learner errors "make run KERNEL=host KVER=$kver" || st=$?
check_refusal errors/unreadable-image "$L-errors-image.log" "$st" \
	"cannot read /boot/vmlinuz-$kver (mode 600, owner root)" "sudo install -m 0644"
on errors "chmod 0644 /boot/vmlinuz-$kver && rm /lib/modules/$kver/build"
st=0
timed 'errors: no headers' "$L-errors-headers.log" \
	as_learner errors "make run KERNEL=host KVER=$kver" || st=$?
check_refusal errors/no-headers "$L-errors-headers.log" "$st" \
	"the headers of kernel $kver are not installed" "sudo apt install linux-headers-$kver"
st=0
timed 'errors: KVER not installed' "$L-errors-kver.log" \
	as_learner errors "make run KERNEL=host KVER=9.9.9-none" || st=$?
check_refusal errors/kver-not-installed "$L-errors-kver.log" "$st" \
	'kernel 9.9.9-none is not installed here' "Installed: $kver"

# docs/own-machine.md's samples: this run's logs.
kd_samples_ok machines-
