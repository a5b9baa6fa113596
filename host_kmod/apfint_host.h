/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_host internals shared by its files.  Kernel-only; the pure rules
 * live in state.h.
 */
#ifndef APFINT_HOST_H
#define APFINT_HOST_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/ftrace.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/hashtable.h>
#include <linux/rcupdate.h>

#include "apfint_compat.h"
#include "apfint_abi.h"
#include "state.h"

/* Exported by kvm.ko, declared only in its private lapic.h. */
struct kvm_lapic;
struct dest_map;
int kvm_lapic_reg_read(struct kvm_lapic *apic, u32 offset, int len,
		       void *data);

/* ---- hook.c: redirect kvm functions to ours (ftrace backend) ---- */

/*
 * A hooked kvm function.  Without a filter every call is redirected to
 * replacement.  With one, the filter runs first, in the ftrace handler
 * (atomic or preemptible, never sleeping), with the call's arguments in
 * regs: the call is redirected only when it returns true, and otherwise
 * runs kvm's original with nothing of ours on its stack and nothing
 * counted, so that a call apfint has no business with (a vCPU that never
 * armed) cannot hold up an unload however long it sleeps.  A hook
 * without replacement does all its work in the filter, which returns
 * false.  A pinned hook's redirected call holds a module reference,
 * taken by the handler and dropped by the replacement's apfint_unpin():
 * rmmod is refused (EBUSY) while the call runs rather than wait for it.
 */
struct apfint_hook {
	const char *name;	/* symbol in kvm.ko */
	void *replacement;
	void *orig;		/* where the original's address is stored */
	bool (*filter)(struct pt_regs *regs);
	bool pin;
	unsigned long address;
};

/* The arguments of a hooked call, at its first instruction (x86-64). */
static inline unsigned long apfint_arg1(const struct pt_regs *regs)
{
	return regs->di;
}

static inline unsigned long apfint_arg2(const struct pt_regs *regs)
{
	return regs->si;
}

static inline unsigned long apfint_arg3(const struct pt_regs *regs)
{
	return regs->dx;
}

/* A table installed and removed as a unit, under one ftrace_ops. */
struct apfint_hook_set {
	struct ftrace_ops ops;
	struct apfint_hook *hooks;
	size_t n;
	bool lazy;		/* install only prepares: register on first use */
	unsigned long __percpu *hits;	/* n counters per CPU */
	struct list_head node;	/* in hook.c's list of prepared sets */
	bool prepared;		/* resolved, ftrace filters set */
	bool installed;		/* redirecting */
	bool failure_said;	/* a failed registration was logged */
};

unsigned long apfint_kallsyms(const char *name);	/* any symbol */
unsigned long apfint_lookup(const char *name);		/* kvm.ko's */
unsigned long apfint_symbol_size(unsigned long address);
int apfint_hooks_register(struct apfint_hook_set *set);
int apfint_hooks_install(struct apfint_hook_set *set);
void apfint_hooks_remove(struct apfint_hook_set *set);
void apfint_hooks_drain(void);
void apfint_sync_callers(void);
int apfint_hooks_show(struct seq_file *m, void *unused);

/* The last act of a pinned hook's replacement, before apfint_leave(). */
static inline void apfint_unpin(void)
{
	module_put(THIS_MODULE);
}

/* ---- ops.c: redirect kvm_x86_ops' MSR accessors ---- */

typedef int (*apfint_msr_fn)(struct kvm_vcpu *vcpu, struct msr_data *msr);

/* Ours, and where to store the vendor's; get_msr NULL: reads stay kvm's. */
struct apfint_msr_ops {
	apfint_msr_fn set_msr;
	apfint_msr_fn get_msr;
	apfint_msr_fn *orig_set_msr;
	apfint_msr_fn *orig_get_msr;
};

int apfint_msr_ops_install(const struct apfint_msr_ops *ops);
void apfint_msr_ops_remove(void);
bool apfint_msr_ops_active(void);

/*
 * Every replacement brackets its body with these, so that unloading can
 * wait for calls still running in our text after the hooks are gone
 * (apfint_hooks_drain() says which can be long, and why it is bounded).
 * Per-CPU, because the MSR accessors run on every MSR exit; a call may
 * leave on another CPU than it entered, so only the sum means anything.
 */
DECLARE_PER_CPU(long, apfint_inflight);
static inline void apfint_enter(void)
{
	this_cpu_inc(apfint_inflight);
}

static inline void apfint_leave(void)
{
	this_cpu_dec(apfint_inflight);
}

/* ---- vcpu.c: per-vCPU state, keyed by the vcpu pointer ---- */

/* Why a ready page waited. */
enum apfint_defer {
	APFINT_DEFER_SLOT,	/* token slot busy */
	APFINT_DEFER_LAPIC,	/* LAPIC disabled */
	APFINT_DEFER_VECTOR,	/* no usable vector */
	APFINT_DEFER_ACK,	/* previous page-ready not ACKed */
	APFINT_NR_DEFER
};

struct apfint_vcpu_stats {
	u64 delivered;		/* page-ready interrupts injected */
	u64 deferred[APFINT_NR_DEFER];
	u64 halted_skipped;	/* ready after a halt, no interrupt needed */
	u64 acks;		/* ACKs of an injected page-ready */
	u64 spare_acks;		/* ACKs with nothing pending (rescan only) */
	atomic64_t kicks;
	u64 tokens_fixed;
	u64 nopaging_halts;
	u64 queue_kept;		/* CR0.PG toggles that kept the queue */
};

struct apfint_vcpu {
	struct hlist_node node;
	struct rcu_head rcu;
	struct kvm_vcpu *vcpu;
	struct kvm *kvm;
	int vcpu_id;
	pid_t vm_pid;
	struct apfint_apf apf;
	/*
	 * Our own mapping of the area's token word (offset 4): kvm's cache
	 * covers only the 4 bytes at offset 0 on old kernels, and writing
	 * past it would trip its BUG_ON.
	 */
	struct gfn_to_hva_cache slot;
	bool slot_valid;
	bool deferring;		/* counts each wait once, not each check */
	struct apfint_vcpu_stats stats;
};

extern struct apfint_hook_set apfint_vcpu_hooks;
struct apfint_vcpu *apfint_vcpu_find(struct kvm_vcpu *vcpu);
bool apfint_vcpu_is_armed(struct kvm_vcpu *vcpu);
struct apfint_vcpu *apfint_vcpu_lookup_or_create(struct kvm_vcpu *vcpu);
void apfint_vcpu_quiesce_all(void);
void apfint_vcpu_free_all(void);
int apfint_vcpus_show(struct seq_file *m, void *unused);

/* The only writers of an entry; vCPU thread unless said otherwise. */
void apfint_vcpu_set_int(struct apfint_vcpu *av, u64 data);
int apfint_vcpu_arm_get(struct apfint_vcpu *av);
void apfint_vcpu_arm_put(int ref);
void apfint_vcpu_set_en(struct apfint_vcpu *av, u64 en,
			const struct gfn_to_hva_cache *slot);
void apfint_vcpu_disarm(struct apfint_vcpu *av);
enum apfint_ack_result apfint_vcpu_ack(struct apfint_vcpu *av);
int apfint_vcpu_read_slot(struct apfint_vcpu *av, u32 *token);
int apfint_vcpu_write_slot(struct apfint_vcpu *av, u32 token);
void apfint_vcpu_note_halted(struct apfint_vcpu *av, u32 token,
			     bool paging_off);
bool apfint_vcpu_take_halted(struct apfint_vcpu *av, u32 token);
void apfint_vcpu_mark_pending(struct apfint_vcpu *av);
void apfint_vcpu_delivered(struct apfint_vcpu *av);
bool apfint_vcpu_defer(struct apfint_vcpu *av, enum apfint_defer why);
void apfint_vcpu_may_deliver(struct apfint_vcpu *av);
void apfint_vcpu_kicked(struct apfint_vcpu *av);
void apfint_vcpu_queue_kept(struct apfint_vcpu *av);
void apfint_vcpu_token_fixed(struct apfint_vcpu *av);

/* Totals over every vCPU, and what happens to no vCPU in particular. */
struct apfint_global_stats {
	atomic64_t delivered;
	atomic64_t deferred;
	atomic64_t acks;
	atomic64_t spare_acks;
	atomic64_t kicks;
	atomic64_t legacy;
	atomic64_t wake_all;
	atomic64_t halted_skipped;
	atomic64_t armed_vcpus;
	atomic64_t tokens_fixed;
	atomic64_t slot_write_errors;
	atomic64_t coalesced;
	atomic64_t vcpu_states;	/* per-vCPU entries alive (leak check) */
	atomic64_t state_bytes;	/* the slab memory they hold */
};

extern struct apfint_global_stats apfint_stats;
#define apfint_count(name)	atomic64_inc(&apfint_stats.name)

/* ---- msr.c: the MSRs, the cap, CPUID and the MSR index list ---- */

extern struct apfint_hook_set apfint_msr_hooks;
int apfint_msr_wrap(void);

/* ---- deliver.c: 'page ready' delivery ---- */

extern struct apfint_hook_set apfint_deliver_hooks;
extern struct apfint_hook_set apfint_arm_hooks;
int apfint_deliver_resolve(void);
int apfint_deliver_arm(void);
void apfint_check_completion(struct kvm_vcpu *vcpu);

/* ---- layout.c: is kvm laid out as the headers say? ---- */

int apfint_layout_check(void);

/* ---- stats.c: debugfs ---- */

int apfint_stats_init(void);
void apfint_stats_exit(void);

#endif /* APFINT_HOST_H */
