// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: redirect kvm.ko functions to ours with ftrace, the way
 * livepatch does (IPMODIFY), in the shape of ilammy/ftrace-hook.
 *
 * One ftrace_ops carries a whole table, so a table is installed or removed
 * in one register/unregister call and a failure halfway leaves the kernel
 * as it was.  A replacement calls the original just past its ftrace call
 * site (ilammy's USE_FENTRY_OFFSET), so that call does not go through the
 * trampoline a second time: on kvm's per-exit paths (MSR accesses) that
 * second pass is most of the cost.  The thunk still lets a call from this
 * module through unchanged (parent_ip), a guard should one ever reach a
 * hooked function at its own address; Kbuild turns off sibling calls,
 * which would hide us as the caller.
 *
 * A hook may filter (struct apfint_hook): the thunk then redirects only
 * the calls apfint has business with, judged from their arguments, and
 * leaves every other one to kvm's original with nothing of ours on its
 * stack, so that a call that sleeps there (GUP behind a userfaultfd) is
 * not ours to wait for at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "apfint_host.h"

DEFINE_PER_CPU(long, apfint_inflight);

/* Serialises preparing, registering and removing every set. */
static DEFINE_MUTEX(apfint_hooks_lock);
static LIST_HEAD(apfint_hook_sets);	/* prepared, for debugfs */

#if HAVE_KALLSYMS_LOOKUP_NAME_EXPORTED
unsigned long apfint_kallsyms(const char *name)
{
	return kallsyms_lookup_name(name);
}
#else
/*
 * kallsyms_lookup_name() is not exported (5.7+) but still traceable: a
 * kprobe placed on it by name reports its address.
 */
static unsigned long (*apfint_kallsyms_fn)(const char *name);

unsigned long apfint_kallsyms(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	if (!apfint_kallsyms_fn) {
		if (register_kprobe(&kp) < 0)
			return 0;
		apfint_kallsyms_fn = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	return apfint_kallsyms_fn ? apfint_kallsyms_fn(name) : 0;
}
#endif

/*
 * Every symbol we need lives in kvm.ko: asking for "kvm:<name>" keeps a
 * same-named symbol elsewhere (another module) from being picked.
 */
unsigned long apfint_lookup(const char *name)
{
	char buf[KSYM_NAME_LEN + 8];

	snprintf(buf, sizeof(buf), "kvm:%s", name);
	return apfint_kallsyms(buf);
}

/*
 * The size of the kvm function that starts at address, from kallsyms
 * (kallsyms_lookup_size_offset() is not exported); 0 when unknown or when
 * address is not a function's start.
 */
unsigned long apfint_symbol_size(unsigned long address)
{
	static int (*lookup_size_offset)(unsigned long addr,
					 unsigned long *size,
					 unsigned long *offset);
	unsigned long size = 0, offset = 0;

	if (!lookup_size_offset)
		lookup_size_offset = (void *)apfint_kallsyms("kallsyms_lookup_size_offset");
	if (!lookup_size_offset || !address ||
	    !lookup_size_offset(address, &size, &offset) || offset)
		return 0;
	return size;
}

static void notrace apfint_ftrace_thunk(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *ops,
					struct pt_regs *regs)
{
	struct apfint_hook_set *set = container_of(ops, struct apfint_hook_set,
						   ops);
	size_t i;

	/* Our own call of the original: let it run. */
	if (within_module(parent_ip, THIS_MODULE))
		return;

	for (i = 0; i < set->n; i++) {
		const struct apfint_hook *h = &set->hooks[i];

		if (h->address != ip)
			continue;
		this_cpu_inc(set->hits[i]);
		/* Not ours to handle: kvm's original runs untouched. */
		if (h->filter && !h->filter(regs))
			return;
		if (!h->replacement)
			return;
		/*
		 * Once the module is going, no vCPU is armed (each holds a
		 * reference), so a pinned hook has nothing to do: the
		 * original runs.
		 */
		if (h->pin && !try_module_get(THIS_MODULE))
			return;
		regs->ip = (unsigned long)h->replacement;
		return;
	}
}

static void apfint_unfilter(struct apfint_hook_set *set, size_t n)
{
	while (n--)
		ftrace_set_filter_ip(&set->ops, set->hooks[n].address, 1, 0);
}

/*
 * The original is called at address + MCOUNT_INSN_SIZE, so the ftrace call
 * site must be the function's first instruction (ftrace_set_filter_ip()
 * also takes an address inside the site).  ftrace_location() says where
 * the site starts; it is not exported, so it comes from kallsyms.
 */
static bool apfint_fentry_first(unsigned long address)
{
	static unsigned long (*ftrace_location_fn)(unsigned long ip);

	if (!ftrace_location_fn)
		ftrace_location_fn = (void *)apfint_kallsyms("ftrace_location");
	return ftrace_location_fn && ftrace_location_fn(address) == address;
}

/* A hook's calls so far, over every CPU. */
static u64 apfint_hook_hits(const struct apfint_hook_set *set, size_t i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(&set->hits[i], cpu);
	return sum;
}

/* debugfs: one line per hook of every prepared set, with its calls. */
int apfint_hooks_show(struct seq_file *m, void *unused)
{
	const struct apfint_hook_set *set;
	size_t i;

	mutex_lock(&apfint_hooks_lock);
	list_for_each_entry(set, &apfint_hook_sets, node)
		for (i = 0; i < set->n; i++)
			seq_printf(m, "%s %llu\n", set->hooks[i].name,
				   apfint_hook_hits(set, i));
	mutex_unlock(&apfint_hooks_lock);
	return 0;
}

/*
 * Resolve a table and point ftrace at its functions, without redirecting
 * anything yet: a kvm layout we cannot hook fails here, at load.
 */
static int apfint_hooks_prepare_locked(struct apfint_hook_set *set)
{
	size_t i;
	int err;

	for (i = 0; i < set->n; i++) {
		struct apfint_hook *h = &set->hooks[i];

		h->address = apfint_lookup(h->name);
		if (!h->address) {
			pr_err("kvm symbol %s not found: unexpected kvm layout, not loading\n",
			       h->name);
			return -ENOENT;
		}
		if (!apfint_fentry_first(h->address)) {
			pr_err("kvm's %s does not start with its ftrace call site: unexpected kernel build, not loading\n",
			       h->name);
			return -EINVAL;
		}
		if (h->orig)
			*(unsigned long *)h->orig = h->address + MCOUNT_INSN_SIZE;
	}
	/*
	 * Hit counters per CPU: the thunk runs on every hooked call, MSR
	 * exits included, and a shared atomic there costs every vCPU.
	 */
	set->hits = __alloc_percpu(set->n * sizeof(*set->hits),
				   __alignof__(*set->hits));
	if (!set->hits)
		return -ENOMEM;

	set->ops.func = apfint_ftrace_thunk;
	set->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
			 APFINT_FTRACE_OPS_FL_RECURSION;

	for (i = 0; i < set->n; i++) {
		struct apfint_hook *h = &set->hooks[i];

		err = ftrace_set_filter_ip(&set->ops, h->address, 0, 0);
		if (err) {
			pr_err("cannot trace kvm's %s at %pS (error %d)\n",
			       h->name, (void *)h->address, err);
			apfint_unfilter(set, i);
			free_percpu(set->hits);
			set->hits = NULL;
			return err;
		}
	}
	set->prepared = true;
	list_add_tail(&set->node, &apfint_hook_sets);
	return 0;
}

static int apfint_hooks_register_locked(struct apfint_hook_set *set)
{
	int err;

	if (set->installed)
		return 0;
	/* Without its filters the ops would trace every function. */
	if (!set->prepared)
		return -ENOENT;
	err = register_ftrace_function(&set->ops);
	if (err) {
		/*
		 * -EBUSY here is usually another IPMODIFY user (a livepatch,
		 * kpatch or a kprobe with a post handler) on one of them.
		 * A lazy set is retried on each guest's EN write: say it once,
		 * or a guest could fill the host's log.
		 */
		if (!set->failure_said)
			pr_err("cannot redirect kvm functions (error %d): another livepatch or kprobe may own one of them\n",
			       err);
		set->failure_said = true;
		return err;
	}
	set->installed = true;
	return 0;
}

/*
 * Redirect a prepared table: all its functions at once, or none.  Does
 * nothing for a table already redirected, and fails for one not prepared
 * (or removed since).
 */
int apfint_hooks_register(struct apfint_hook_set *set)
{
	int err;

	mutex_lock(&apfint_hooks_lock);
	err = apfint_hooks_register_locked(set);
	mutex_unlock(&apfint_hooks_lock);
	return err;
}

static void apfint_hooks_remove_locked(struct apfint_hook_set *set)
{
	int err;

	if (set->installed) {
		/*
		 * unregister_ftrace_function() waits until no CPU is left in
		 * the trampoline or our thunk (for preemptible kernels through
		 * synchronize_rcu_tasks()); replacements still running are
		 * counted in apfint_inflight and waited for by the caller.
		 */
		err = unregister_ftrace_function(&set->ops);
		if (err)
			pr_err("unregister_ftrace_function failed (%d)\n", err);
		set->installed = false;
	}
	if (set->prepared) {
		list_del(&set->node);
		apfint_unfilter(set, set->n);
		/* unregistered above: no thunk is left counting */
		free_percpu(set->hits);
		set->hits = NULL;
	}
	set->prepared = false;
}

/*
 * Prepare a table and redirect it, or (lazy) leave that to
 * apfint_hooks_register() on first use.
 */
int apfint_hooks_install(struct apfint_hook_set *set)
{
	int err;

	mutex_lock(&apfint_hooks_lock);
	err = apfint_hooks_prepare_locked(set);
	if (!err && !set->lazy) {
		err = apfint_hooks_register_locked(set);
		if (err)
			apfint_hooks_remove_locked(set);
	}
	mutex_unlock(&apfint_hooks_lock);
	return err;
}

void apfint_hooks_remove(struct apfint_hook_set *set)
{
	mutex_lock(&apfint_hooks_lock);
	apfint_hooks_remove_locked(set);
	mutex_unlock(&apfint_hooks_lock);
}

static long apfint_inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(apfint_inflight, cpu);
	return sum;
}

/*
 * Wait for replacements that are still running (they were entered before
 * the hooks went away), then for any task preempted between our last
 * instruction and its return.  With the hooks gone nobody enters any
 * more, and every call that did counted its entry before we look: a racy
 * sum can only be too high, never 0 while a call is still inside.
 *
 * Unkillable, so what may be waited for is kept short.  The calls that
 * can sleep for as long as userspace likes are those that wait for a
 * page (GUP, or a guest-memory access, behind a userfaultfd: post-copy
 * migration) or for a work item doing so (cancel_work_sync()).  None of
 * them is left here: the filters keep vCPUs that never armed off our
 * hooks, an armed vCPU holds the module, so rmmod fails before we get
 * here, and a work item or EN write that may outlive a disarm holds it
 * too (pinned).  What remains: calls that entered just before the hooks
 * went away and return at once, and MSR accesses through our accessors
 * (ops.c), every MSR's, of which only EN waits for async work (pinned,
 * but not once the module is going) and a few others (kvmclock's wall
 * clock, Hyper-V's pages) write guest memory, which a VMM could keep
 * missing.  Those would hold this wait until the page comes: say so.
 */
void apfint_hooks_drain(void)
{
	unsigned long start = jiffies;
	bool said = false;

	while (apfint_inflight_sum()) {
		if (!said && time_after(jiffies, start + 10 * HZ)) {
			pr_warn("unload waits for %ld call(s) still in kvm (a page held by userspace?)\n",
				apfint_inflight_sum());
			said = true;
		}
		msleep(20);
	}
	apfint_sync_callers();
}

/*
 * Waits until every task that was between reading a pointer to our text
 * and the matching apfint_enter() (or past its apfint_leave()) is out:
 * without preemption no task stops there, so a grace period does; with
 * it, a preempted task can, and only a tasks-RCU grace period waits for
 * those.
 */
void apfint_sync_callers(void)
{
#if APFINT_KERNEL_PREEMPTIBLE && defined(CONFIG_TASKS_RCU)
	synchronize_rcu_tasks();
#else
	synchronize_rcu();
#endif
}
