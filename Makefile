# SPDX-License-Identifier: GPL-2.0
# kmem_demo: build the module against a kernel tree, and drive the VM harness.
#
#   make                 build kmem_demo.ko for the running kernel
#   make KDIR=/path      ... against another kernel build tree
#   make run             load it in a throwaway QEMU VM and show the output
#   make test            every check and every VM lane (what CI runs)
#   make help            all targets

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(shell pwd)

.PHONY: all modules clean help
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
