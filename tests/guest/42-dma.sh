#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The DMA demo device: the guest's QEMU edu (PCI 1234:11e8) is bound to
# kmem_demo while it is loaded, with the DMA mask of dma_bits= (the lane's,
# KD_DMA_BITS, else 28), and the report's header and the log say so.  Root
# may unbind and bind it again through sysfs; the report follows.  A mask
# the machine cannot serve (28 bits on arm64 virt, whose RAM starts at
# 1 GiB) leaves the device unbound, the load itself succeeds, and the
# report says what the kernel answered; no WARNING.  After rmmod nothing
# is bound.
# kd-boot: slub
# kd-class: kernel
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

bits=${KD_DMA_BITS:-28}
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		dev=${d##*/}
		break
	fi
done
if [ -z "$dev" ]; then
	t_fail "the guest has QEMU's edu device" "expected a PCI device 1234:11e8" \
		"saw: $(cat /sys/bus/pci/devices/*/uevent | grep PCI_ID | tr '\n' ' ')"
	exit 0
fi
t_ok "the guest has QEMU's edu device ($dev)"
drv=/sys/bus/pci/drivers/kmem_demo

kd_dmesg_mark
t_run "load" kd_load
t_run "$dev is bound to kmem_demo" test -e "$drv/$dev"
want="dma_device:  $dev, QEMU edu 1.0 (PCI 1234:11e8), DMA mask $bits bits"
t_eq "the report's header names it, with its mask" "$want" "$(grep '^dma_device:' "$KD_PROC")"
t_match "the log says so" "kmem_demo $dev: DMA demo device: QEMU edu 1\\.0, DMA mask $bits bits\$" \
	"$(kd_dmesg_since)"

echo "$dev" >"$drv/unbind"
t_run "root unbinds it through sysfs" test ! -e "$drv/$dev"
t_match "the report says no device is bound" '^dma_device:  none: no QEMU edu device' "$(cat "$KD_PROC")"
echo "$dev" >"$drv/bind"
t_run "and binds it again" test -e "$drv/$dev"
t_eq "the report names it again" "$want" "$(grep '^dma_device:' "$KD_PROC")"
t_run "unload" kd_unload
t_run "after rmmod no driver is left" test ! -e "$drv"

# A mask the machine cannot serve: on arm64 virt no RAM is within 28 bits.
if [ "$bits" != 28 ]; then
	kd_dmesg_mark
	t_run "load with dma_bits=28" kd_load dma_bits=28
	t_run "$dev stays unbound" test ! -e "$drv/$dev"
	t_match "the report says what the kernel answered" \
		"^dma_device:  $dev refused: dma_set_mask_and_coherent\\(DMA_BIT_MASK\\(28\\)\\) = -?(EIO|5): " \
		"$(cat "$KD_PROC")"
	t_match "the log too" "kmem_demo $dev: not the DMA demo device: dma_set_mask_and_coherent" \
		"$(kd_dmesg_since)"
	t_run "unload" kd_unload
else
	t_skip "a mask this machine cannot serve" "28 bits reach RAM here"
fi
t_clean "nothing left"
