# SPDX-License-Identifier: GPL-2.0
# Every value in the module's output that depends on where memory landed
# or when (an address, a frame, a run count, a zone, the size of a slab,
# a CPU, a time) replaced by a placeholder: sed -E -f mask.sed.  The
# recorded outputs (95-golden) and the docs' samples (39-samples) are
# compared through it; everything else is compared as it is.
s/^\[ *[0-9]+\.[0-9]+\] //
s/ at [0-9a-f]{8,16}( |$)/ at <addr>\1/
s/^(address: +)[0-9a-f]+$/\1<addr>/
s/ cpu=[0-9]+ born_ns=[0-9]+ address=[0-9a-f]+$/ cpu=<cpu> born_ns=<ns> address=<addr>/
s/^(pfn: +)0x[0-9a-f]+-0x[0-9a-f]+$/\1<pfn>/
s/^(phys: +)0x[0-9a-f]+-0x[0-9a-f]+$/\1<phys>/
s/^(physical: +)[0-9]+ contiguous runs, longest [0-9]+ pages$/\1<n> contiguous runs, longest <n> pages/
s/^(zone: +).*/\1<zone>/
s/ runs=[0-9]+ longest=[0-9]+ listed=[0-9]+$/ runs=<n> longest=<n> listed=<n>/
s/^(region .* kind=slab .*) pages=[0-9]+ /\1 pages=<n> /
s/^(extra_slab: +)[0-9]+ \(the rest of its [0-9]+-byte slab/\1<n> (the rest of its <n>-byte slab/
s/^(extra_slab: +)[0-9]+ \(the rest of the [0-9]+ bytes of slab/\1<n> (the rest of the <n> bytes of slab/
s/^run [0-9]+ [0-9]+$/run <pfn> <pages>/
s/ on CPU [0-9]+/ on CPU <cpu>/
# How long a grace period took.
s/ \([0-9]+ ms after kfree_rcu\(\)\)/ (<n> ms after kfree_rcu())/
# Per-CPU memory: each copy's address and frame.
s/^(copy cpu[0-9]+: .* address=)[0-9a-f]+/\1<addr>/
s/^(copy cpu[0-9]+: .*) pfn=0x[0-9a-f]+$/\1 pfn=<pfn>/
# A mempool's elements: each one's address and frame.
s/^(element [0-9]+: .* address=)[0-9a-f]+/\1<addr>/
s/^(element [0-9]+: .*) pfn=0x[0-9a-f]+$/\1 pfn=<pfn>/
# The PCI core's note when a device is first enabled in a boot: whether it
# is there depends on what loaded the module before.
/: enabling device \(/d
# The DMA demo device's buffers: their bus addresses, and how long the
# device took to copy them.
s/^(dma_addr: +)0x[0-9a-f]+$/\1<dma_addr>/
s/^(block [0-9]+: .* address=)[0-9a-f]+/\1<addr>/
s/ dma_addr=0x[0-9a-f]+$/ dma_addr=<dma_addr>/
s/(every byte verified \(2 transfers, [A-Za-z]+), [0-9]+ ms\)$/\1, <n> ms)/
# A scatterlist's DMA segments, and the pieces of it the device copies:
# as many as the runs of pages, which depend on where the pages landed.
s/^(dma_addr: +)[0-9]+ DMA segments? from [0-9]+ runs? of pages/\1<n> DMA segments from <n> runs of pages/
s/^(dma_addr: +<n> DMA segments from <n> runs of pages): .*/\1: <segments>/
/ in [0-9]+ pieces? /s/^(transfer: +)[0-9]+ bytes in [0-9]+ pieces? (.*) \([0-9]+ transfers, ([A-Za-z]+), ([0-9]+|<n>) ms\)$/\1<n> bytes in <n> pieces \2 (<n> transfers, \3, <n> ms)/
