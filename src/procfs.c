// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the module's files, made and removed in one place.
 *
 *   /proc/kmem_demo           0644  the report (report.c); root writes lab
 *                                   commands to it (lab.c)
 *   /proc/kmem_demo_map       0400  the frame map (map.c), CAP_SYS_ADMIN only
 *   /proc/kmem_demo_bench     0444  the benchmark's last results (bench.c)
 *   /proc/kmem_demo_bench.csv 0444  the same, for scripts
 *   /dev/kmem_demo            0600  a misc device: mmap() maps a region
 *                                   into the caller (mmap.c), CAP_SYS_ADMIN
 *                                   only
 *
 * The report is made last and removed first: it is the file users wait
 * for, and the one that runs lab commands, so when it exists everything it
 * needs does.  Removing the files also ends the lab and drops the
 * benchmark's results: they live only as long as the files that show them.
 *
 * Permission checks use the opener's credentials (file->f_cred), decided
 * once at open(): a privileged program can't be tricked into reading or
 * writing through a file descriptor an unprivileged user opened.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "bench.h"
#include "kmem_demo.h"
#include "lab.h"
#include "map.h"
#include "mmap.h"
#include "params.h"
#include "procfs.h"
#include "region.h"
#include "report.h"

static struct proc_dir_entry *kd_report_pde, *kd_map_pde;
static struct proc_dir_entry *kd_bench_pde, *kd_bench_csv_pde;

static bool kd_opener_is_admin(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

/*
 * proc_ops has no .owner, and needs none: proc_remove(), at unload, waits
 * for the calls running in the file's functions and releases every file
 * still open, so rmmod never waits for (or fails because of) a reader
 * holding the report open; that reader's next read() gets -EIO.  The
 * seq_file's private data is the reader's cursor over the registry of
 * regions.
 */
static int kd_regions_open(struct file *file, const struct seq_operations *ops,
			   bool items, bool phys)
{
	struct kd_cursor *c;

	c = __seq_open_private(file, ops, sizeof(*c));
	if (!c)
		return -ENOMEM;
	kd_cursor_open(c, items, phys);
	return 0;
}

static int kd_report_open(struct inode *inode, struct file *file)
{
	/*
	 * Writing runs allocations: root of the initial namespace only.
	 * Physical frames are shown to the same openers, as for
	 * /proc/<pid>/pagemap.
	 */
	if ((file->f_mode & FMODE_WRITE) && !kd_opener_is_admin(file))
		return -EPERM;
	return kd_regions_open(file, &kd_report_seq_ops, true,
			       kd_opener_is_admin(file));
}

static const struct proc_ops kd_report_proc_ops = {
	.proc_open	= kd_report_open,
	.proc_read_iter	= seq_read_iter,
	.proc_write	= kd_lab_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};

static int kd_map_open(struct inode *inode, struct file *file)
{
	/* uid 0 without CAP_SYS_ADMIN gets EPERM, whatever it reads later. */
	if (!kd_opener_is_admin(file))
		return -EPERM;
	if (file->f_mode & FMODE_WRITE)
		return -EACCES;
	return kd_regions_open(file, &kd_map_seq_ops, false, true);
}

static const struct proc_ops kd_map_proc_ops = {
	.proc_open	= kd_map_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};

/*
 * The device file, unlike /proc's, holds the module (.owner): a process
 * that maps a region keeps the file, so rmmod fails with "in use" until
 * the last munmap instead of freeing memory a process still maps.
 */
static int kd_dev_open(struct inode *inode, struct file *file)
{
	return kd_opener_is_admin(file) ? kd_mmap_open(file) : -EPERM;
}

static const struct file_operations kd_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= kd_dev_open,
	.mmap		= kd_mmap,
	.llseek		= noop_llseek,
};

static struct miscdevice kd_dev = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= KD_NAME,
	.fops		= &kd_dev_fops,
	.mode		= 0600,
};

static bool kd_dev_registered;

static void kd_procfs_remove_files(void)
{
	proc_remove(kd_report_pde);
	proc_remove(kd_bench_csv_pde);
	proc_remove(kd_bench_pde);
	proc_remove(kd_map_pde);
	if (kd_dev_registered)
		misc_deregister(&kd_dev);
	kd_mmap_exit();
	kd_dev_registered = false;
	kd_report_pde = NULL;
	kd_bench_csv_pde = NULL;
	kd_bench_pde = NULL;
	kd_map_pde = NULL;
}

int kd_procfs_create(void)
{
	kd_map_pde = proc_create(KD_NAME "_map", 0400, NULL, &kd_map_proc_ops);
	/* 0444: timings reveal nothing about addresses. */
	kd_bench_pde = proc_create_single(KD_NAME "_bench", 0444, NULL,
					  kd_bench_show_table);
	kd_bench_csv_pde = proc_create_single(KD_NAME "_bench.csv", 0444, NULL,
					      kd_bench_show_csv);
	/*
	 * 0644: the tutorial's readers are unprivileged (kptr_restrict, as
	 * the opener met it, protects them); only root writes lab commands.
	 */
	kd_dev_registered = !misc_register(&kd_dev);
	if (kd_map_pde && kd_bench_pde && kd_bench_csv_pde && kd_dev_registered)
		kd_report_pde = kd_should_fail(KD_STEP_PROC) ? NULL :
			proc_create(KD_NAME, 0644, NULL, &kd_report_proc_ops);
	if (!kd_report_pde) {
		kd_procfs_remove_files();
		return -ENOMEM;
	}
	return 0;
}

void kd_procfs_remove(void)
{
	/* A benchmark's writer would hold proc_remove() for the whole run. */
	kd_bench_close();
	kd_procfs_remove_files();
	/* Lab experiments may use the module's cache: they go before it. */
	kd_lab_free_all();
	kd_bench_forget();
}
