// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: per-vCPU state.  Old kvm has no room for it, so it lives in
 * a hash keyed by the vcpu pointer.  An entry exists only for vCPUs that
 * touched the new MSRs (or EN bit 3); it is freed when kvm tears the vCPU
 * down (the teardown hook), so it can never outlive its VM or be found by
 * a later vCPU that reuses the address.
 *
 * Lifetime: the vCPU's own thread (holding vcpu->mutex) creates, changes
 * and resets its entry; teardown frees it when no vCPU thread runs.  The
 * async work item only reads the mode, under RCU, and counts its kicks.
 * Every change is made here; the other files only read an entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "apfint_host.h"
#include "trace.h"

static DEFINE_HASHTABLE(apfint_vcpus, 8);
/* Serialises writers of the hash, and the unload walk against teardown. */
static DEFINE_SPINLOCK(apfint_vcpus_lock);

struct apfint_global_stats apfint_stats;

struct apfint_vcpu *apfint_vcpu_find(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(apfint_vcpus, av, node, (unsigned long)vcpu) {
		if (av->vcpu == vcpu) {
			found = av;
			break;
		}
	}
	rcu_read_unlock();
	/*
	 * Only the vCPU's own thread (or its teardown) frees the entry, and
	 * every caller but the work item runs there; the work item keeps its
	 * own rcu_read_lock() around the use.
	 */
	return found;
}

/*
 * Is vcpu in interrupt mode, from any thread (the hooks' filters, the
 * async work item): the answer may be stale by the time it is used, and
 * each caller says why that is safe.
 */
bool apfint_vcpu_is_armed(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av;
	bool armed;

	rcu_read_lock();
	av = apfint_vcpu_find(vcpu);
	armed = av && READ_ONCE(av->apf.mode) != APFINT_IDLE;
	rcu_read_unlock();
	return armed;
}

/* vCPU thread only (may sleep); takes no reference. */
struct apfint_vcpu *apfint_vcpu_lookup_or_create(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av = apfint_vcpu_find(vcpu);

	if (av)
		return av;
	av = kzalloc(sizeof(*av), GFP_KERNEL_ACCOUNT);
	if (!av)
		return NULL;
	av->vcpu = vcpu;
	av->kvm = vcpu->kvm;
	av->vcpu_id = vcpu->vcpu_id;
	av->vm_pid = task_tgid_nr(current);
	apfint_apf_init(&av->apf);
	atomic64_set(&av->stats.kicks, 0);

	spin_lock(&apfint_vcpus_lock);
	hash_add_rcu(apfint_vcpus, &av->node, (unsigned long)vcpu);
	spin_unlock(&apfint_vcpus_lock);
	atomic64_inc(&apfint_stats.vcpu_states);
	atomic64_add(ksize(av), &apfint_stats.state_bytes);
	return av;
}

/*
 * Each armed vCPU holds a reference on this module, so that `rmmod` fails
 * with EBUSY instead of leaving a guest that waits for interrupts without
 * anyone to send them.  It is taken before kvm sees the EN write
 * (apfint_vcpu_arm_get()), so that nothing can fail once kvm committed to
 * the new value; apfint_vcpu_set_en() keeps it, apfint_vcpu_arm_put()
 * gives it back when kvm refused the write.
 */
int apfint_vcpu_arm_get(struct apfint_vcpu *av)
{
	if (apfint_armed(&av->apf))
		return 0;	/* armed already: holds one */
	return try_module_get(THIS_MODULE) ? 1 : -EBUSY;
}

void apfint_vcpu_arm_put(int ref)
{
	if (ref > 0)
		module_put(THIS_MODULE);
}

/* The caller has registered apfint_deliver_arm()'s hooks. */
static void apfint_vcpu_arm(struct apfint_vcpu *av, u64 en)
{
	av->deferring = false;
	if (!apfint_arm(&av->apf, en))
		return;		/* re-armed: keeps its reference */
	/* Once per load: a guest toggling EN must not fill the host's log. */
	if (atomic64_inc_return(&apfint_stats.armed_vcpus) == 1)
		pr_info_once("interrupt delivery in use (pid %d vcpu %d); the module cannot be unloaded until every such vCPU is reset, disables it or exits\n",
			     av->vm_pid, av->vcpu_id);
}

void apfint_vcpu_disarm(struct apfint_vcpu *av)
{
	av->deferring = false;
	if (apfint_disarm(&av->apf)) {
		atomic64_dec(&apfint_stats.armed_vcpus);
		module_put(THIS_MODULE);
	}
}

/* ---- the MSRs (msr.c) ---- */

void apfint_vcpu_set_int(struct apfint_vcpu *av, u64 data)
{
	av->apf.int_msr = data;
}

/*
 * EN with bit 3, once kvm took the value without it.  With ENABLED the
 * vCPU is armed, delivering through the token word mapped in slot, with
 * the reference apfint_vcpu_arm_get() took; without, it is off (as
 * upstream) and reads keep bit 3.  Cannot fail.
 */
void apfint_vcpu_set_en(struct apfint_vcpu *av, u64 en,
			const struct gfn_to_hva_cache *slot)
{
	if (!apfint_en_wants_int(en)) {
		apfint_vcpu_disarm(av);
		av->apf.en = en;
		return;
	}
	av->slot = *slot;
	av->slot_valid = true;
	apfint_vcpu_arm(av, en);
}

enum apfint_ack_result apfint_vcpu_ack(struct apfint_vcpu *av)
{
	enum apfint_ack_result r = apfint_ack(&av->apf);

	switch (r) {
	case APFINT_ACK_PAIRED:
		av->stats.acks++;
		apfint_count(acks);
		break;
	case APFINT_ACK_SPARE:
		av->stats.spare_acks++;
		apfint_count(spare_acks);
		break;
	default:
		return r;
	}
	trace_apfint_async_pf_ack(av->vcpu_id, r == APFINT_ACK_PAIRED);
	return r;
}

/* ---- delivery (deliver.c) ---- */

/* The token word: 0 is "slot free", anything else a page-ready waiting. */
int apfint_vcpu_read_slot(struct apfint_vcpu *av, u32 *token)
{
	if (!av->slot_valid ||
	    kvm_read_guest_cached(av->kvm, &av->slot, token, sizeof(*token)))
		return -EFAULT;
	return 0;
}

int apfint_vcpu_write_slot(struct apfint_vcpu *av, u32 token)
{
	if (!av->slot_valid ||
	    kvm_write_guest_cached(av->kvm, &av->slot, &token, sizeof(token))) {
		apfint_count(slot_write_errors);
		return -EFAULT;
	}
	return 0;
}

/* A not-present event that halted the vCPU instead of injecting #PF. */
void apfint_vcpu_note_halted(struct apfint_vcpu *av, u32 token,
			     bool paging_off)
{
	apfint_note_halted(&av->apf, token);
	if (paging_off)
		av->stats.nopaging_halts++;
}

/* True (and counted) when token's page-ready needs no interrupt. */
bool apfint_vcpu_take_halted(struct apfint_vcpu *av, u32 token)
{
	if (!apfint_take_halted(&av->apf, token))
		return false;
	av->stats.halted_skipped++;
	apfint_count(halted_skipped);
	return true;
}

/* The token is in the slot: set before injecting (the work item reads it). */
void apfint_vcpu_mark_pending(struct apfint_vcpu *av)
{
	WARN_ON_ONCE(!apfint_mark_pending(&av->apf));
}

void apfint_vcpu_delivered(struct apfint_vcpu *av)
{
	av->stats.delivered++;
	apfint_count(delivered);
}

/*
 * A ready page waits; returns false, for can_inject.  Each wait counts
 * once, under its first reason, until apfint_vcpu_may_deliver().
 */
bool apfint_vcpu_defer(struct apfint_vcpu *av, enum apfint_defer why)
{
	if (!av->deferring) {
		av->deferring = true;
		av->stats.deferred[why]++;
		apfint_count(deferred);
	}
	return false;
}

void apfint_vcpu_may_deliver(struct apfint_vcpu *av)
{
	av->deferring = false;
}

/* From the async work item, under rcu_read_lock(). */
void apfint_vcpu_kicked(struct apfint_vcpu *av)
{
	atomic64_inc(&av->stats.kicks);
	apfint_count(kicks);
	trace_apfint_async_pf_kick(av->vcpu_id);
}

void apfint_vcpu_queue_kept(struct apfint_vcpu *av)
{
	av->stats.queue_kept++;
}

void apfint_vcpu_token_fixed(struct apfint_vcpu *av)
{
	av->stats.tokens_fixed++;
	apfint_count(tokens_fixed);
}

/* ---- lifetime ---- */

/* kvm_vcpu_reset() (INIT and RESET) clears EN and INT, as upstream does. */
static void apfint_vcpu_reset(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av = apfint_vcpu_find(vcpu);

	if (!av)
		return;
	apfint_vcpu_disarm(av);
	av->apf.int_msr = 0;
	av->slot_valid = false;
}

static void apfint_vcpu_unlink(struct apfint_vcpu *av)
{
	hash_del_rcu(&av->node);
	apfint_vcpu_disarm(av);
	atomic64_dec(&apfint_stats.vcpu_states);
	atomic64_sub(ksize(av), &apfint_stats.state_bytes);
	kfree_rcu(av, rcu);
}

/* vCPU teardown: no vCPU thread runs any more, the work items are done. */
static void apfint_vcpu_free(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av;
	struct hlist_node *tmp;

	spin_lock(&apfint_vcpus_lock);
	hash_for_each_possible_safe(apfint_vcpus, av, tmp, node,
				    (unsigned long)vcpu) {
		if (av->vcpu == vcpu)
			apfint_vcpu_unlink(av);
	}
	spin_unlock(&apfint_vcpus_lock);
}

/*
 * Both hooks act in the ftrace handler, before kvm's function, and never
 * redirect it: kvm's reset clears the async queue, which waits for work
 * items in GUP (cancel_work_sync()), and its teardown may too; run with
 * no frame of ours, neither can hold up an unload.  The reset drops
 * interrupt mode first, so kvm's own queue clearing inside it takes the
 * stock path, as it did when this ran after kvm's reset.
 */
static bool apfint_vcpu_reset_filter(struct pt_regs *regs)
{
	apfint_vcpu_reset((struct kvm_vcpu *)apfint_arg1(regs));
	return false;
}

static bool apfint_vcpu_teardown_filter(struct pt_regs *regs)
{
	apfint_vcpu_free((struct kvm_vcpu *)apfint_arg1(regs));
	return false;
}

/*
 * Installed first and removed last, so that per-vCPU state follows its
 * vCPU for as long as any other hook can create or use it: see
 * apfint_vcpu_quiesce_all().
 */
static struct apfint_hook apfint_vcpu_table[] = {
	{ .name = APFINT_VCPU_TEARDOWN_SYM,
	  .filter = apfint_vcpu_teardown_filter },
	{ .name = "kvm_vcpu_reset", .filter = apfint_vcpu_reset_filter },
};

struct apfint_hook_set apfint_vcpu_hooks = {
	.hooks = apfint_vcpu_table,
	.n = ARRAY_SIZE(apfint_vcpu_table),
};

/*
 * Unload, after every other hook set is gone and no replacement runs:
 * nothing can raise our request bit any more, but one raised just before
 * may still be set, and old kvm would never clear it (the vCPU would keep
 * bailing out of vcpu_enter_guest()).  Teardown still takes our lock, so
 * the vcpu stays alive while we clear it.
 */
void apfint_vcpu_quiesce_all(void)
{
	struct apfint_vcpu *av;
	int bkt;

	spin_lock(&apfint_vcpus_lock);
	hash_for_each(apfint_vcpus, bkt, av, node)
		kvm_clear_request(APFINT_REQ_APF_READY, av->vcpu);
	spin_unlock(&apfint_vcpus_lock);
}

/* Unload, after apfint_vcpu_hooks are gone too. */
void apfint_vcpu_free_all(void)
{
	struct apfint_vcpu *av;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&apfint_vcpus_lock);
	hash_for_each_safe(apfint_vcpus, bkt, tmp, av, node) {
		/* An armed vCPU holds a module reference: cannot be here. */
		WARN_ON(apfint_armed(&av->apf));
		apfint_vcpu_unlink(av);
	}
	spin_unlock(&apfint_vcpus_lock);
	rcu_barrier();	/* every entry's kfree_rcu() has run */
}

static const char * const apfint_mode_names[] = {
	[APFINT_IDLE] = "idle",
	[APFINT_ARMED] = "armed",
	[APFINT_PENDING] = "pending",
};

int apfint_vcpus_show(struct seq_file *m, void *unused)
{
	struct apfint_vcpu *av;
	int bkt;

	seq_puts(m, "pid vcpu mode vector delivered deferred_slot deferred_lapic deferred_vector deferred_ack halted_skipped acks kicks tokens_fixed nopaging_halts queue_kept spare_acks\n");
	spin_lock(&apfint_vcpus_lock);
	hash_for_each(apfint_vcpus, bkt, av, node) {
		const struct apfint_vcpu_stats *s = &av->stats;

		seq_printf(m, "%d %d %s %u %llu %llu %llu %llu %llu %llu %llu %lld %llu %llu %llu %llu\n",
			   av->vm_pid, av->vcpu_id,
			   apfint_mode_names[READ_ONCE(av->apf.mode)],
			   apfint_vector(&av->apf), s->delivered,
			   s->deferred[APFINT_DEFER_SLOT],
			   s->deferred[APFINT_DEFER_LAPIC],
			   s->deferred[APFINT_DEFER_VECTOR],
			   s->deferred[APFINT_DEFER_ACK],
			   s->halted_skipped, s->acks,
			   (long long)atomic64_read(&s->kicks),
			   s->tokens_fixed, s->nopaging_halts, s->queue_kept,
			   s->spare_acks);
	}
	spin_unlock(&apfint_vcpus_lock);
	return 0;
}
