# SPDX-License-Identifier: GPL-2.0
# kmem_demo: build the module against a kernel tree, and drive the VM harness.
#
#   make                 build kmem_demo.ko for the running kernel
#   make KDIR=/path      ... against another kernel build tree
#                        (ARCH= and CROSS_COMPILE= pass through to kbuild)
#   make clean           remove what the build left here
#   make tools           tools/kd-mmap, which maps a region of /dev/kmem_demo
#                        into a process and looks at it (docs/mmap.md)
#   make install         install kmem_demo.ko into /lib/modules/$(KVER)/updates/
#                        and run depmod (KVER= another installed kernel,
#                        DESTDIR= stage into a directory instead of /)
#   make uninstall       remove it again (same KVER=, DESTDIR=) and run depmod
#   make sign KEY=k.pem CERT=c.der   sign kmem_demo.ko with the kernel's
#                        scripts/sign-file (for Secure Boot, see docs/install.md)
#   make deb             kmem-demo-dkms_<version>_all.deb (DKMS) in out/,
#                        checked with lintian
#   make run             load it in a throwaway QEMU VM and show the output;
#                        PARAMS="vmalloc_size=..." passes module parameters,
#                        KERNEL=<lane> picks the kernel (default: distro on
#                        Debian, host elsewhere), ARCH=arm64 is KERNEL=arm64,
#                        KERNEL=host the kernel installed here (KVER=);
#                        LAB="kmalloc 100; pages 3 GFP_DMA32" runs lab
#                        commands (see docs/lab.md) before showing the report;
#                        then it draws where the memory landed (SVG, PNG)
#                        and prints the paths; PICTURES=0 skips that;
#                        VIEW=0 skips the kernel's own view (what this kernel
#                        lets you see, and each allocation as its tracepoints,
#                        vmallocinfo and slab sysfs saw it): the bare tutorial
#                        flow
#   make bench           the allocator benchmark in the VM: table, CSV and
#                        plots under results/; LANE=<lane> (default as for
#                        run), BENCH=quick, RUNS=2 (two runs in one boot)
#   make compare         the same experiments on every lane, side by side:
#                        LAB="kmalloc 100; kvmalloc 5M" and PARAMS= as for
#                        run, LANES="bullseye sid" (default: every Debian
#                        kernel, and host where its headers are), BENCH=quick
#                        or full adds the benchmark as ratios; the table on
#                        the terminal, Markdown and CSV in results/compare/
#                        (OUT=DIR elsewhere)
#   make test            static checks and every lane (what CI runs);
#                        LANES="sid arm64-16k" runs only those,
#                        KD_JOBS=1 one lane at a time (default 2)
#                        (the lanes: the rows of vm/lanes.tsv, in order)
#   make test-quick      static checks and the stock-kernel lane's kernel tests
#                        (not the lab fuzz and races, which make test runs)
#   make test-debug      the debug kernel's lanes only (KASAN, kmemleak, ...):
#                        debug and debug-stress
#   make test-arm64      the arm64 lane only
#   make check           static checks only: W=1, sparse, checkpatch, shellcheck
#   make support-table   docs/support.md's support table from the last make test
#   make test-times      docs/testing.md's tables of where the last make test's
#                        time went: each lane's, the slowest tests
#   make docs            docs/testing.md's test table from the tests' header comments
#   make samples         the output samples in README.md and docs/ from a real
#                        make run on each lane they name (distro, arm64, numa)
#                        and the logs of the last make test (docs/testing.md,
#                        "The docs' samples")
#   make help            this text, and the lanes

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD  := $(shell pwd)
# Empty: vm/run.sh picks distro on Debian, host elsewhere, and says why.
KERNEL ?= $(if $(filter arm64,$(ARCH)),arm64)

.PHONY: all modules tools clean help run bench compare test test-quick test-debug test-arm64 check \
	support-table test-times docs samples install uninstall sign deb
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -f tools/kd-mmap

# A user-space program: the host's own compiler, no kernel tree needed.
tools: tools/kd-mmap
tools/kd-mmap: tools/kd-mmap.c
	$(CC) -O2 -Wall -Wextra -o $@ $<

# kbuild's modules_install puts the module in updates/, which depmod ranks
# above the kernel's own directory; it runs depmod only when the tree has a
# System.map (Debian's headers have none), hence depmod here.  DESTDIR (an
# empty directory is fine) keeps a staged install off the running system.
# Debian's kernels set CONFIG_MODULE_SIG_ALL, but their signing key is not in
# the headers: kbuild's own signing step is turned off (make sign, DKMS).
DEPMOD = depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(DEPMOD)

# The kernel may have compressed it on install (.ko.xz, .ko.zst).
uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/kmem_demo.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/kmem_demo.ko.*
	$(DEPMOD)

# The hash is the kernel's own choice (CONFIG_MODULE_SIG_HASH).
SIGN_HASH = $(or $(shell sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' \
	$(KDIR)/.config 2>/dev/null),sha256)
sign: modules
	@test -n "$(KEY)" -a -n "$(CERT)" || \
		{ echo "usage: make sign KEY=key.pem CERT=cert.der|cert.pem"; exit 1; }
	$(KDIR)/scripts/sign-file $(SIGN_HASH) $(KEY) $(CERT) kmem_demo.ko

deb:
	scripts/deb.sh $(if $(OUT),--out $(OUT))

run:
	PARAMS="$(PARAMS)" LAB="$(LAB)" PICTURES="$(PICTURES)" VIEW="$(VIEW)" KVER="$(KVER)" \
		vm/run.sh --lane "$(KERNEL)"

bench:
	PARAMS="$(PARAMS)" KVER="$(KVER)" vm/bench.sh --lane "$(or $(LANE),$(KERNEL))" \
		$(if $(filter quick,$(BENCH)),--quick) $(if $(RUNS),--runs $(RUNS))

compare:
	PARAMS="$(PARAMS)" LAB="$(LAB)" KVER="$(KVER)" vm/compare.sh \
		$(if $(BENCH),--bench $(BENCH)) $(if $(OUT),--out $(OUT)) $(LANES)

# Without LANES, vm/test.sh runs every lane of vm/lanes.tsv.
test:
	KVER="$(KVER)" vm/test.sh $(LANES)

# The distro lane's tests of classes kernel and leak: the inner loop while
# developing.
test-quick:
	KD_TEST_CLASSES=$${KD_TEST_CLASSES:-kernel,leak} vm/test.sh static distro

test-debug:
	vm/test.sh debug debug-stress

test-arm64:
	vm/test.sh arm64

check:
	tests/lanes/static.sh

support-table:
	scripts/support-table.sh --docs

test-times:
	scripts/test-times.sh --docs

# docs/ is a directory: docs must be phony to run at all.
docs:
	scripts/test-table.sh --docs

# Each lane's make run, then its samples rewritten from the run's log.
samples:
	scripts/samples.sh

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
	@echo
	@vm/test.sh --list
