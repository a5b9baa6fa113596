// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_report_test: makes a debug kernel print one report of the kind
 * named by "kind=", so that the stress tier can show that the harness
 * fails a run on it and names it.  Test-only; never shipped.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/list.h>

static char *kind = "none";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "leak, lockdep, atomic_sleep, list, kasan or ubsan");

static DEFINE_MUTEX(report_a);
static DEFINE_MUTEX(report_b);
static DEFINE_SPINLOCK(report_lock);
static void *report_leaked;

static void report_lockdep(void)
{
	/* A then B, then B then A: a possible circular dependency. */
	mutex_lock(&report_a);
	mutex_lock(&report_b);
	mutex_unlock(&report_b);
	mutex_unlock(&report_a);
	mutex_lock(&report_b);
	mutex_lock(&report_a);
	mutex_unlock(&report_a);
	mutex_unlock(&report_b);
}

static void report_atomic_sleep(void)
{
	/* uncontended, so it never sleeps: might_sleep() still objects */
	spin_lock(&report_lock);
	mutex_lock(&report_a);
	mutex_unlock(&report_a);
	spin_unlock(&report_lock);
}

/*
 * Many objects, each dropped on its own: a stale copy of the last few
 * pointers can survive in a freed stack that the kernel keeps cached
 * (and kmemleak scans), but not of all of them.
 */
static void report_leak(void)
{
	int i;

	for (i = 0; i < 64; i++)
		WRITE_ONCE(report_leaked, kmalloc(256, GFP_KERNEL));
	WRITE_ONCE(report_leaked, NULL);
}

static void report_list(void)
{
	LIST_HEAD(head);
	struct list_head entry;

	list_add(&entry, &head);
	list_del(&entry);
	/* poisoned by the first: DEBUG_LIST refuses, reports, skips it */
	list_del(&entry);
}

static void report_kasan(void)
{
	char *p = kmalloc(8, GFP_KERNEL);

	if (p)
		pr_info("read past the end: %d\n", READ_ONCE(p[8]));
	kfree(p);
}

static unsigned int report_shift = 64;

static void report_ubsan(void)
{
	/* read at run time: the compiler must not fold the shift */
	pr_info("shifted too far: %llu\n", 1ULL << READ_ONCE(report_shift));
}

static void report_none(void)
{
}

static const struct {
	const char *kind;
	void (*provoke)(void);
} report_kinds[] = {
	{ "none", report_none },
	{ "leak", report_leak },
	{ "lockdep", report_lockdep },
	{ "atomic_sleep", report_atomic_sleep },
	{ "list", report_list },
	{ "kasan", report_kasan },
	{ "ubsan", report_ubsan },
};

static int __init report_test_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(report_kinds); i++) {
		if (!strcmp(kind, report_kinds[i].kind)) {
			report_kinds[i].provoke();
			return 0;
		}
	}
	return -EINVAL;
}

static void __exit report_test_exit(void)
{
}

module_init(report_test_init);
module_exit(report_test_exit);
MODULE_DESCRIPTION("apfint test: provoke one debug-kernel report");
MODULE_LICENSE("GPL");
