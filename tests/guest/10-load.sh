# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Load and unload kmem_demo: lsmod lists it while loaded and not after,
# /proc/kmem_demo comes and goes with it and names every allocator, and the
# kernel log has one line per allocation on load and one per free, in
# reverse order, on unload.  A reader holding the report open does not
# keep rmmod from unloading it, and reads EIO afterwards.
# kd-class: kernel numa
# kd-timeout: 30

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${KD_TESTDIR:-/kd/tests}/lib.sh"
# shellcheck source-path=SCRIPTDIR source=report.sh
. "${KD_TESTDIR:-/kd/tests}/report.sh"

kd_dmesg_mark
if kd_load; then
	t_ok 'insmod succeeds'
else
	t_fail 'insmod succeeds' "exit status $?" "$KD_LOAD_ERR"
	exit 1
fi
if kd_loaded; then
	t_ok 'lsmod shows kmem_demo'
else
	t_fail 'lsmod shows kmem_demo' "$(lsmod)"
fi
# One line per allocation, in allocation order, then "loaded" (the
# addresses vary, so they are cut off).  Order 2 is 4 pages of any size.
o2=$((4 * $(kd_page_size)))
o2="$o2 ($((o2 / 1024)) KiB)"
t_eq 'load log: one line per allocation, then "loaded"' \
"kmalloc: requested 4096 (4 KiB), reserved 4096 (4 KiB), at
vmalloc: requested 8388608 (8 MiB), reserved 8388608 (8 MiB), at
__get_free_pages: requested $o2, reserved $o2, at
kmem_cache: created \"kmem_demo\", 48-byte objects in 64-byte slots
kmem_cache: 8 objects allocated, 384 bytes in 512 bytes of slots
loaded: version 0.1.0, /proc/kmem_demo ready" \
	"$(kd_dmesg_since | sed -n 's/.*kmem_demo: //p' | grep -v taint |
		sed 's/, at .*/, at/')"
t_match 'load log: where each allocation lives' \
	'vmalloc: .* \(vmalloc space\)$' "$(kd_dmesg_since)"
pages=4
if [ -r /proc/kmem_demo ]; then
	t_ok '/proc/kmem_demo exists'
	report=$(cat /proc/kmem_demo)
	pages=$(kd_load_pages /proc/kmem_demo)
	for api in kmalloc vmalloc __get_free_pages kmem_cache; do
		t_match "/proc/kmem_demo mentions $api" "$api" "$report"
	done
else
	t_fail '/proc/kmem_demo exists'
fi

kd_dmesg_mark
t_run 'rmmod succeeds' kd_unload
if kd_loaded; then
	t_fail 'lsmod no longer shows kmem_demo' "$(lsmod)"
else
	t_ok 'lsmod no longer shows kmem_demo'
fi
if [ -e /proc/kmem_demo ]; then
	t_fail '/proc/kmem_demo is gone'
else
	t_ok '/proc/kmem_demo is gone'
fi
# Each free in the reverse order of allocation, then the summary.
t_eq 'unload log: frees in reverse order, then all freed' \
'kmem_cache_free: 8 objects freed
kmem_cache_destroy: cache "kmem_demo" destroyed
free_pages: 4 pages (order 2) freed
vfree: vmalloc area freed
kfree: kmalloc buffer freed
unloaded: all memory freed (pages: '"$pages"' allocated, '"$pages"' freed)' \
	"$(kd_dmesg_since | sed -n 's/.*kmem_demo: //p')"

# An open file does not pin the module: procfs ends it at unload.  The
# user nobody holds the report open across rmmod, which succeeds at once;
# nobody's next read fails with EIO, and the kernel log stays clean.
t_run 'load again' kd_load
rm -rf /tmp/hold && mkdir -m 0777 /tmp/hold && mkfifo -m 0666 /tmp/hold/go
kd_as_nobody "exec 3<$KD_PROC; : >/tmp/hold/open; read x </tmp/hold/go;
	cat <&3 >/dev/null 2>/tmp/hold/err; echo \$? >/tmp/hold/rc" &
n=0
while [ ! -e /tmp/hold/open ] && [ $n -lt 100 ]; do usleep 50000; n=$((n + 1)); done
t_run 'nobody holds /proc/kmem_demo open' test -e /tmp/hold/open
t_run 'rmmod succeeds while nobody holds the report open' kd_unload
echo go >/tmp/hold/go
wait
t_eq "nobody's read after the unload fails" 1 "$(cat /tmp/hold/rc)"
t_match "... with EIO" 'Input/output error' "$(cat /tmp/hold/err)"
