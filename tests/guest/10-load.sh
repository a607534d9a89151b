# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Load and unload kmem_demo: lsmod, /proc/kmem_demo and the kernel log
# follow the module's life cycle.
# kd-timeout: 30

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${KD_TESTDIR:-/kd/tests}/lib.sh"

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
t_match 'load logs "loaded"' 'kmem_demo.*loaded' "$(kd_dmesg_since)"
if [ -r /proc/kmem_demo ]; then
	t_ok '/proc/kmem_demo exists'
	report=$(cat /proc/kmem_demo)
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
t_match 'unload logs "freed"' 'kmem_demo.*freed' "$(kd_dmesg_since)"
