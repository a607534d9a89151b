// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: /proc/kmem_demo.
 *
 * A seq_file walks records: the header, one section per allocator, one
 * line per cache object, then one section per lab experiment.  seq_file
 * restarts a walk at any position, so partial reads, seeks and reads of any
 * size give the same bytes as one big read -- as long as the records don't
 * change.  The load-time ones are fixed; lab experiments come and go, under
 * the lab's mutex, which the walk holds from start() to stop(): one read()
 * sees whole sections, and a read spread over several read() calls may see
 * experiments added or freed between them.
 *
 * Writing runs lab commands (lab.c).  The file is 0644, and opening it for
 * writing also needs CAP_SYS_ADMIN in the initial user namespace.
 *
 * Who sees what:
 *  - Addresses use %pK: what a reader gets depends on kptr_restrict (0:
 *    hashed, 1: real only with CAP_SYSLOG, 2: always zeros).
 *  - Physical frame numbers are shown only if the opener had CAP_SYS_ADMIN,
 *    the same rule as /proc/<pid>/pagemap: physical addresses help attacks
 *    such as Rowhammer.  The check uses the credentials of open(), never of
 *    a later read, so a privileged program can't be tricked into reading a
 *    file descriptor an unprivileged user opened.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "compat.h"
#include "kmem_demo.h"

#define KD_NR_HEADERS	1	/* records before the allocator sections */
#define KD_NR_SECTIONS	(KD_NR_HEADERS + KD_NR_KINDS)

static struct proc_dir_entry *kd_proc;

/* seq_file positions 0 .. KD_NR_SECTIONS - 1; objects follow. */
static const unsigned int kd_section_ids[KD_NR_SECTIONS] = { 0, 1, 2, 3, 4 };

static bool kd_show_phys(struct seq_file *m)
{
	return m->private;
}

static void kd_show_header(struct seq_file *m)
{
	unsigned long items, bytes;

	seq_printf(m, "%s %s: what each allocator really gave this module\n",
		   KD_NAME, KD_VERSION);
	seq_printf(m, "page_size:   %lu\n", PAGE_SIZE);
	seq_printf(m, "params:      kmalloc_size=%lu vmalloc_size=%lu page_order=%lu cache_objects=%lu\n",
		   kd_param(kmalloc_size), kd_param(vmalloc_size),
		   kd_param(page_order), kd_param(cache_objects));
	seq_printf(m, "physical:    %s\n", kd_show_phys(m) ? "shown" :
		   "hidden (open needs CAP_SYS_ADMIN, as for /proc/<pid>/pagemap)");
	kd_lab_totals(&items, &bytes);
	seq_printf(m, "lab:         %lu live, %lu bytes reserved (lab_max_items=%lu lab_max_bytes=%lu)\n",
		   items, bytes, kd_param(lab_max_items), kd_param(lab_max_bytes));
	seq_printf(m, "page_acct:   %lu pages allocated, %lu freed\n",
		   kd.pages_allocated, kd.pages_freed);
}

static void kd_show_size(struct seq_file *m, const char *key, size_t bytes)
{
	char buf[48];

	kd_fmt_size(buf, sizeof(buf), bytes);
	seq_printf(m, "%-12s %s\n", key, buf);
}

/* The cache's own facts: what slab made of a request for 48-byte objects. */
static void kd_show_cache(struct seq_file *m, const struct kd_region *r)
{
	unsigned int size = kmem_cache_size(kd.cache);

	seq_printf(m, "alloc:       kmem_cache_alloc(cache, %pGg) x %lu\n",
		   &r->gfp, kd.nr_objects);
	seq_printf(m, "name:        %s\n", KD_NAME);
	seq_printf(m, "object_size: %zu (sizeof(struct kd_obj))\n",
		   sizeof(struct kd_obj));
	seq_printf(m, "cache_size:  %u (kmem_cache_size()%s)\n", size,
		   size == sizeof(struct kd_obj) ? "" :
		   ": merged into an existing cache of that size");
	seq_printf(m, "align:       %u (SLAB_HWCACHE_ALIGN, cache line %u)\n",
		   kd.obj_align, cache_line_size());
	seq_printf(m, "slot_size:   %u (without slub_debug metadata)\n",
		   kd.obj_slot);
	seq_printf(m, "objects:     %lu\n", kd.nr_objects);
}

/* A load-time section ([kmalloc]), or with @e a lab experiment ([lab N]). */
static void kd_show_region(struct seq_file *m, const struct kd_region *r,
			   const struct kd_exp *e)
{
	const struct kd_runs *runs = &r->runs;

	if (e) {
		seq_printf(m, "\n[lab %lu]\n", e->id);
		seq_printf(m, "id:          %lu\n", e->id);
		seq_printf(m, "command:     %s\n", e->command);
		seq_printf(m, "allocator:   %s\n", e->used ? e->used : r->allocator);
	} else {
		seq_printf(m, "\n[%s]\n", r->allocator);
	}
	seq_printf(m, "call:        %s\n", r->call);
	if (r == &kd.region[KD_CACHE])
		kd_show_cache(m, r);
	seq_printf(m, "gfp:         %pGg (%#x)\n", &r->gfp,
		   (__force unsigned int)r->gfp);
	kd_show_size(m, "requested:", r->requested);
	kd_show_size(m, "reserved:", r->reserved);
	kd_show_size(m, "slack:", r->reserved - r->requested);
	seq_printf(m, "address:     %pK\n", r->addr);
	seq_printf(m, "map:         %s\n",
		   r->in_vmalloc ? "vmalloc space" : "direct map");
	if (runs->pages)
		seq_printf(m, "pages:       %lu\n", runs->pages);
	if (r->contiguous)
		seq_puts(m, "physical:    contiguous\n");
	else if (runs->pages)
		seq_printf(m, "physical:    %lu contiguous runs, longest %lu pages\n",
			   runs->runs, runs->longest);
	if (r->contiguous && kd_show_phys(m))
		seq_printf(m, "pfn:         %#lx-%#lx\nphys:        %#llx-%#llx\n",
			   r->pfn_first, r->pfn_last,
			   (unsigned long long)r->phys,
			   (unsigned long long)(r->phys + r->reserved - 1));
	else if (r->contiguous)
		seq_puts(m, "pfn:         hidden\n");
	if (e && e->cmd.op == KD_OP_KMALLOC && KD_HAVE_KMALLOC_ROUNDUP)
		seq_printf(m, "roundup:     %zu (kmalloc_size_roundup(%zu))\n",
			   kd_kmalloc_roundup(r->requested), r->requested);
	seq_printf(m, "zone:        %s\n", r->zones);
	seq_printf(m, "node:        %*pbl\n", nodemask_pr_args(&r->nodes));
}

static void kd_show_object(struct seq_file *m, const struct kd_obj *o)
{
	seq_printf(m, "object %u: tag=%s cpu=%u born_ns=%llu address=%pK\n",
		   o->id, o->tag, o->cpu, o->born_ns, o);
}

/*
 * Positions: the header and the load-time sections, then the cache objects,
 * then the lab experiments.  show() tells them apart by position (m->index).
 */
static loff_t kd_first_exp(void)
{
	return KD_NR_SECTIONS + kd.nr_objects;
}

static void *kd_seq_at(loff_t pos)
{
	if (pos < KD_NR_SECTIONS)
		return (void *)&kd_section_ids[pos];
	if (pos < kd_first_exp())
		return seq_list_start(&kd.objects, pos - KD_NR_SECTIONS);
	return kd_lab_exp(pos - kd_first_exp());
}

static void *kd_seq_start(struct seq_file *m, loff_t *pos)
{
	kd_lab_lock();
	return kd_seq_at(*pos);
}

static void *kd_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return kd_seq_at(*pos);
}

static void kd_seq_stop(struct seq_file *m, void *v)
{
	kd_lab_unlock();
}

static int kd_seq_show(struct seq_file *m, void *v)
{
	const struct kd_exp *e;
	unsigned int id;

	if (m->index >= kd_first_exp()) {
		e = v;
		kd_show_region(m, &e->r, e);
	} else if (m->index >= KD_NR_SECTIONS) {
		kd_show_object(m, list_entry(v, struct kd_obj, node));
	} else {
		id = *(const unsigned int *)v;
		if (id < KD_NR_HEADERS)
			kd_show_header(m);
		else
			kd_show_region(m, &kd.region[id - KD_NR_HEADERS], NULL);
	}
	return 0;
}

static const struct seq_operations kd_seq_ops = {
	.start	= kd_seq_start,
	.next	= kd_seq_next,
	.stop	= kd_seq_stop,
	.show	= kd_seq_show,
};

/*
 * proc_ops has no .owner, so an open file does not pin the module.  We pin
 * it ourselves: while anyone has the report (or the map) open, rmmod says
 * "in use" instead of pulling the data from under the reader.  Once
 * unloading has begun, try_module_get() fails and open() reports the file
 * as gone.
 */
int kd_seq_open(struct file *file, const struct seq_operations *ops)
{
	int ret;

	if (!try_module_get(THIS_MODULE))
		return -ENOENT;
	ret = seq_open(file, ops);
	if (ret)
		module_put(THIS_MODULE);
	return ret;
}

int kd_seq_release(struct inode *inode, struct file *file)
{
	int ret = seq_release(inode, file);

	module_put(THIS_MODULE);
	return ret;
}

static int kd_open(struct inode *inode, struct file *file)
{
	int ret;

	/*
	 * Writing runs allocations: root of the initial namespace only,
	 * decided with the opener's credentials like the PFN rule below.
	 */
	if ((file->f_mode & FMODE_WRITE) &&
	    !file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	ret = kd_seq_open(file, &kd_seq_ops);
	if (ret)
		return ret;
	/* Decided once, with the opener's credentials. */
	((struct seq_file *)file->private_data)->private =
		file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) ?
		(void *)kd_section_ids : NULL;
	return 0;
}

static const struct proc_ops kd_proc_ops = {
	.proc_open	= kd_open,
	.proc_read_iter	= seq_read_iter,
	.proc_write	= kd_lab_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= kd_seq_release,
};

/*
 * The map (root only) and the benchmark's files first: the report appears
 * last, when all is ready.
 */
int kd_proc_create(void)
{
	int ret = kd_map_create();

	if (ret)
		return ret;
	ret = kd_bench_proc_create();
	if (ret) {
		kd_map_remove();
		return ret;
	}
	/*
	 * 0644: the tutorial's readers are unprivileged (%pK protects them);
	 * only root writes lab commands.
	 */
	kd_proc = kd_should_fail(KD_STEP_PROC) ? NULL :
		  proc_create(KD_NAME, 0644, NULL, &kd_proc_ops);
	if (!kd_proc) {
		kd_bench_proc_remove();
		kd_map_remove();
		return -ENOMEM;
	}
	return 0;
}

void kd_proc_remove(void)
{
	proc_remove(kd_proc);
	kd_proc = NULL;
	kd_bench_proc_remove();
	kd_map_remove();
}
