# SPDX-License-Identifier: GPL-2.0
# kmem_demo: build the module against a kernel tree, and drive the VM harness.
#
#   make                 build kmem_demo.ko for the running kernel
#   make KDIR=/path      ... against another kernel build tree
#                        (ARCH= and CROSS_COMPILE= pass through to kbuild)
#   make clean           remove what the build left here
#   make run             load it in a throwaway QEMU VM and show the output;
#                        PARAMS="vmalloc_size=..." passes module parameters,
#                        KERNEL=<lane> picks the kernel (default distro),
#                        ARCH=arm64 is KERNEL=arm64;
#                        LAB="kmalloc 100; pages 3 GFP_DMA32" runs lab
#                        commands (see README) before showing the report;
#                        then it draws where the memory landed (SVG, PNG)
#                        and prints the paths; PICTURES=0 skips that
#   make bench           the allocator benchmark in the VM: table, CSV and
#                        plots under results/; LANE=<lane> (default as for
#                        run), BENCH=quick, RUNS=2 (two runs in one boot)
#   make test            static checks and every lane (what CI runs);
#                        LANES="sid arm64-16k" runs only those,
#                        KD_JOBS=1 one lane at a time (default 2)
#   make test-quick      static checks and the stock-kernel lane only
#   make test-debug      the debug-kernel lane only (KASAN, kmemleak, ...)
#   make test-arm64      the arm64 lane only
#   make check           static checks only: W=1, sparse, checkpatch, shellcheck
#   make support-table   the README's support table from the last make test
#   make help            this text, and the lanes

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(shell pwd)
KERNEL ?= $(if $(filter arm64,$(ARCH)),arm64,distro)
LANES ?= static debug distro bullseye trixie sid arm64 arm64-16k arm64-sid

.PHONY: all modules clean help run bench test test-quick test-debug test-arm64 check \
	support-table
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

run:
	PARAMS="$(PARAMS)" LAB="$(LAB)" PICTURES="$(PICTURES)" vm/run.sh --lane $(KERNEL)

bench:
	PARAMS="$(PARAMS)" vm/bench.sh --lane $(or $(LANE),$(KERNEL)) \
		$(if $(filter quick,$(BENCH)),--quick) $(if $(RUNS),--runs $(RUNS))

test:
	vm/test.sh $(LANES)

test-quick:
	vm/test.sh static distro

test-debug:
	vm/test.sh debug

test-arm64:
	vm/test.sh arm64

check:
	vm/check.sh

support-table:
	vm/support-table.sh --readme

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
	@echo
	@vm/test.sh --list
