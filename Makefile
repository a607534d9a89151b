# SPDX-License-Identifier: GPL-2.0
# kmem_demo: build the module against a kernel tree, and drive the VM harness.
#
#   make                 build kmem_demo.ko for the running kernel
#   make KDIR=/path      ... against another kernel build tree
#                        (ARCH= and CROSS_COMPILE= pass through to kbuild)
#   make clean           remove what the build left here
#   make run             load it in a throwaway QEMU VM and show the output;
#                        PARAMS="vmalloc_size=..." passes module parameters,
#                        ARCH=arm64 runs it on an arm64 VM;
#                        LAB="kmalloc 100; pages 3 GFP_DMA32" runs lab
#                        commands (see README) before showing the report;
#                        then it draws where the memory landed (SVG, PNG)
#                        and prints the paths; PICTURES=0 skips that
#   make bench           the allocator benchmark in the VM: table, CSV and
#                        plots under results/; LANE=arm64, BENCH=quick,
#                        RUNS=2 (two runs in one boot: repeatability)
#   make test            static checks and every VM lane (what CI runs)
#   make test-quick      static checks and the stock-kernel lane only
#   make test-debug      the debug-kernel lane only (KASAN, kmemleak, ...)
#   make test-arm64      the arm64 lane only
#   make check           static checks only: W=1, sparse, checkpatch, shellcheck
#   make help            this text

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(shell pwd)
RUN_LANE := $(if $(filter arm64,$(ARCH)),arm64,distro)

.PHONY: all modules clean help run bench test test-quick test-debug test-arm64 check
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

run:
	PARAMS="$(PARAMS)" LAB="$(LAB)" PICTURES="$(PICTURES)" vm/run.sh --lane $(RUN_LANE)

bench:
	PARAMS="$(PARAMS)" vm/bench.sh --lane $(or $(LANE),$(RUN_LANE)) \
		$(if $(filter quick,$(BENCH)),--quick) $(if $(RUNS),--runs $(RUNS))

test:
	vm/test.sh static distro debug arm64

test-quick:
	vm/test.sh static distro

test-debug:
	vm/test.sh debug

test-arm64:
	vm/test.sh arm64

check:
	vm/check.sh

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
