// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: 'page ready' delivery, in the shape of upstream 5.8's
 * kvm_arch_async_page_* hooks.  async_pf.c (queue and work lifetime) stays
 * kvm's own; for vCPUs in interrupt mode we replace what the arch hooks do:
 *
 *   - present:     token into the area's offset 4 (our own mapping), the
 *                  INT vector injected through the in-kernel LAPIC as a
 *                  fixed interrupt, and the pending mark set;
 *   - can_inject:  dequeue only when the LAPIC is enabled and the slot
 *                  reads 0 (upstream's can_dequeue, with its later fix);
 *   - work item:   a completion raises a request and kicks the vCPU unless
 *                  a page-ready is pending (upstream's present_queued);
 *   - ACK:         clears the pending mark and rescans at once (msr.c).
 *
 * vCPUs not in interrupt mode take the original functions unchanged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "apfint_host.h"
#include "text.h"
#include "trace.h"

static void (*orig_page_not_present)(struct kvm_vcpu *vcpu,
				     struct kvm_async_pf *work);
static void (*orig_page_present)(struct kvm_vcpu *vcpu,
				 struct kvm_async_pf *work);
static bool (*orig_can_inject)(struct kvm_vcpu *vcpu);
static void (*orig_check_completion)(struct kvm_vcpu *vcpu);
static void (*orig_clear_completion_queue)(struct kvm_vcpu *vcpu);
static int (*orig_setup_async_pf)(struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa,
				  unsigned long hva,
				  struct kvm_arch_async_pf *arch);
static void (*orig_async_pf_execute)(struct work_struct *work);
static int (*apfint_apic_set_irq)(struct kvm_vcpu *vcpu,
				  struct kvm_lapic_irq *irq,
				  struct dest_map *dest_map);
/* kvm's rule for the work item's VM reference: apfint_resolve_ref_rule() */
static bool apfint_work_holds_kvm_ref;

static struct apfint_vcpu *apfint_armed_vcpu(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av = apfint_vcpu_find(vcpu);

	return av && apfint_armed(&av->apf) ? av : NULL;
}

/*
 * kvm_lapic_enabled() is private (lapic.h): the APIC must be in kernel,
 * globally enabled in the APIC base MSR and software-enabled in SPIV.
 */
static bool apfint_lapic_enabled(struct kvm_vcpu *vcpu)
{
	u32 spiv = 0;

	if (!vcpu->arch.apic)
		return false;
	if (!(vcpu->arch.apic_base & MSR_IA32_APICBASE_ENABLE))
		return false;
	if (kvm_lapic_reg_read(vcpu->arch.apic, APIC_SPIV, 4, &spiv))
		return false;
	return spiv & APIC_SPIV_APIC_ENABLED;
}

static bool apfint_irr_pending(struct kvm_vcpu *vcpu, u8 vector)
{
	u32 irr = 0;

	if (kvm_lapic_reg_read(vcpu->arch.apic, APIC_IRR + (vector / 32) * 0x10,
			       4, &irr))
		return false;
	return irr & BIT(vector % 32);
}

/*
 * Old kvm decides everything from vcpu->arch.apf.msr_val's ENABLED bit.
 * Hiding it for one call makes the original do its bookkeeping only
 * (gfn hash, tracepoint, un-halting) without its legacy #PF.  Every
 * reader of msr_val runs on the vCPU thread under vcpu->mutex, as we do,
 * so nobody else can see the hidden bit.
 */
static u64 apfint_hide_enabled(struct kvm_vcpu *vcpu)
{
	u64 saved = vcpu->arch.apf.msr_val;

	vcpu->arch.apf.msr_val &= ~(u64)KVM_ASYNC_PF_ENABLED;
	return saved;
}

/* A #PF is queued for the guest (kvm_inject_page_fault() queues it). */
static bool apfint_pf_queued(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.exception.pending &&
	       vcpu->arch.exception.nr == PF_VECTOR;
}

static void apfint_page_not_present(struct kvm_vcpu *vcpu,
				    struct kvm_async_pf *work)
{
	struct apfint_vcpu *av;
	u64 saved;

	apfint_enter();
	av = apfint_armed_vcpu(vcpu);
	if (!av) {
		orig_page_not_present(vcpu, work);
		goto out;
	}

	/*
	 * Upstream later refused async #PF while the guest has paging off
	 * (its real-mode IDT has no #PF handler for it): halt the vCPU
	 * instead, as kvm does when it cannot inject.  CR0.PG is never
	 * guest-owned, so vcpu->arch.cr0 is current on this exit.
	 */
	if (!(vcpu->arch.cr0 & X86_CR0_PG) &&
	    !(vcpu->arch.hflags & HF_GUEST_MASK)) {
		saved = apfint_hide_enabled(vcpu);
		orig_page_not_present(vcpu, work);
		vcpu->arch.apf.msr_val = saved;
		apfint_vcpu_note_halted(av, work->arch.token, true);
		goto out;
	}

	/*
	 * The original either injects a #PF or halts the vCPU (on 4.x, if
	 * it cannot write the reason word, neither).  A vCPU that got no
	 * #PF needs no page-ready (upstream: work->notpresent_injected).
	 * Read it from the original's own act, the #PF it queued (kvm goes
	 * async only with no exception pending), not from a side effect
	 * such as the pf_guest count.
	 */
	orig_page_not_present(vcpu, work);
	if (!apfint_pf_queued(vcpu))
		apfint_vcpu_note_halted(av, work->arch.token, false);
out:
	apfint_leave();
}

static void apfint_page_present(struct kvm_vcpu *vcpu,
				struct kvm_async_pf *work)
{
	struct kvm_lapic_irq irq = { .delivery_mode = APIC_DM_FIXED };
	struct apfint_vcpu *av;
	u64 saved;
	u32 token;

	apfint_enter();
	av = apfint_armed_vcpu(vcpu);
	if (!av) {
		if (vcpu->arch.apf.msr_val & KVM_ASYNC_PF_ENABLED)
			apfint_count(legacy);
		orig_page_present(vcpu, work);
		goto out;
	}

	saved = apfint_hide_enabled(vcpu);
	orig_page_present(vcpu, work);
	vcpu->arch.apf.msr_val = saved;
	token = work->arch.token;	/* ~0 for wake-all, set by kvm */

	if (work->wakeup_all)
		apfint_count(wake_all);
	else if (apfint_vcpu_take_halted(av, token))
		goto out;

	if (apfint_vcpu_write_slot(av, token))
		goto out;
	/* Set before injecting: the work item reads it to skip the kick. */
	apfint_vcpu_mark_pending(av);
	irq.vector = apfint_vector(&av->apf);
	/*
	 * The slot rule keeps one page-ready in flight at a time, so the
	 * vector cannot still wait in IRR; if it did, this one would merge
	 * with it and the guest would see one interrupt for two tokens.
	 */
	if (apfint_irr_pending(vcpu, irq.vector))
		apfint_count(coalesced);
	apfint_apic_set_irq(vcpu, &irq, NULL);
	apfint_vcpu_delivered(av);
	trace_apfint_async_pf_ready_irq(vcpu->vcpu_id, token, irq.vector);
out:
	apfint_leave();
}

static bool apfint_can_inject(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av;
	bool r, lapic;
	u32 slot = 0;

	apfint_enter();
	av = apfint_armed_vcpu(vcpu);
	if (!av) {
		r = orig_can_inject(vcpu);
		goto out;
	}
	/* A ready page stays queued until it can be delivered. */
	if (READ_ONCE(av->apf.mode) == APFINT_PENDING) {
		r = apfint_vcpu_defer(av, APFINT_DEFER_ACK);
		goto out;
	}
	if (!apfint_vector_usable(apfint_vector(&av->apf))) {
		r = apfint_vcpu_defer(av, APFINT_DEFER_VECTOR);
		goto out;
	}
	lapic = apfint_lapic_enabled(vcpu);
	if (!lapic) {
		r = apfint_vcpu_defer(av, APFINT_DEFER_LAPIC);
		goto out;
	}
	if (apfint_vcpu_read_slot(av, &slot) ||
	    !apfint_can_dequeue(&av->apf, lapic, slot)) {
		r = apfint_vcpu_defer(av, APFINT_DEFER_SLOT);
		goto out;
	}
	apfint_vcpu_may_deliver(av);
	r = true;
out:
	apfint_leave();
	return r;
}

/*
 * The vCPU loop's rescan (old kvm calls it after every exit) and our ACK's.
 * Clearing our request first: a completion queued after this point raises
 * it again and makes the next guest entry bail out to rescan.
 */
void apfint_check_completion(struct kvm_vcpu *vcpu)
{
	/* kvm_check_request() orders the clear before reading the queue. */
	kvm_check_request(APFINT_REQ_APF_READY, vcpu);
	orig_check_completion(vcpu);
}

/*
 * kvm's own rescan, after every exit: clear our request in the ftrace
 * handler and let kvm's function run unredirected.  Same order as
 * apfint_check_completion(), and no frame of ours while kvm delivers
 * (which writes guest memory, and may wait for it).
 */
static bool apfint_check_completion_filter(struct pt_regs *regs)
{
	kvm_check_request(APFINT_REQ_APF_READY,
			  (struct kvm_vcpu *)apfint_arg1(regs));
	return false;
}

/*
 * Upstream's kvm_arch_async_page_present_queued(), run by the work item
 * after it queued its completion.  The request makes vcpu_enter_guest()
 * bail out before entering the guest, so a vCPU on its way in cannot miss
 * the completion; the kick gets a vCPU already in the guest out.
 */
static void apfint_page_ready_queued(struct kvm_vcpu *vcpu)
{
	struct apfint_vcpu *av;
	bool kick = false;

	rcu_read_lock();
	av = apfint_vcpu_find(vcpu);
	if (av && apfint_armed(&av->apf)) {
		kvm_make_request(APFINT_REQ_APF_READY, vcpu);
		/*
		 * Pairs with the smp_mb() in the ACK: either the ACK's
		 * rescan sees our completion or we see pending cleared.
		 */
		smp_mb__after_atomic();
		kick = READ_ONCE(av->apf.mode) != APFINT_PENDING;
		if (kick)
			apfint_vcpu_kicked(av);
	}
	rcu_read_unlock();
	if (kick)
		kvm_vcpu_kick(vcpu);
}

static void apfint_async_pf_execute(struct work_struct *work)
{
	struct kvm_async_pf *apf = container_of(work, struct kvm_async_pf,
						work);
	struct kvm_vcpu *vcpu = apf->vcpu;
	struct kvm *kvm = vcpu->kvm;

	apfint_enter();
	/*
	 * The original may free apf, and on older kernels drop the last
	 * reference to the VM.  Keep the VM (and so the vcpu) alive until
	 * we are done with it; newer kernels flush this work item before
	 * they free the vCPU.
	 */
	if (apfint_work_holds_kvm_ref)
		kvm_get_kvm(kvm);
	orig_async_pf_execute(work);
	apfint_page_ready_queued(vcpu);
	if (apfint_work_holds_kvm_ref)
		kvm_put_kvm(kvm);
	apfint_unpin();
	apfint_leave();
}

/* [start, end) of kvm_set_cr0(), resolved at load (apfint_resolve_set_cr0) */
static unsigned long apfint_set_cr0_start, apfint_set_cr0_end;

/*
 * Old kvm drops the whole async queue whenever CR0.PG changes.  RSM turns
 * paging back on through kvm_set_cr0() after SMM ran with it off, so every
 * SMI strands the guest tasks waiting for a page-ready (hung tasks).
 * Upstream fixed it ("KVM: x86: Don't clear async #PF queue when CR0.PG is
 * disabled (e.g. on #SMI)") by keeping the queue and rescanning once
 * paging is back; do that for interrupt-mode vCPUs.  The return address
 * tells kvm_set_cr0() apart from the other callers (EN off, reset, VM
 * destruction), which must still clear; all of these paths are rare.
 */
static void apfint_clear_completion_queue(struct kvm_vcpu *vcpu)
{
	unsigned long caller = (unsigned long)__builtin_return_address(0);
	struct apfint_vcpu *av;

	apfint_enter();
	av = apfint_armed_vcpu(vcpu);
	if (av && caller >= apfint_set_cr0_start &&
	    caller < apfint_set_cr0_end) {
		if (vcpu->arch.cr0 & X86_CR0_PG)
			kvm_make_request(APFINT_REQ_APF_READY, vcpu);
		apfint_vcpu_queue_kept(av);
	} else {
		orig_clear_completion_queue(vcpu);
	}
	apfint_leave();
}

static int apfint_setup_async_pf(struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa,
				 unsigned long hva,
				 struct kvm_arch_async_pf *arch)
{
	struct apfint_vcpu *av;
	int r;

	apfint_enter();
	av = apfint_armed_vcpu(vcpu);
	if (av && !arch->token) {
		/* 0 reads as "slot free" to an interrupt-mode guest. */
		arch->token = apfint_fix_token(arch->token,
					       &vcpu->arch.apf.id,
					       vcpu->vcpu_id);
		apfint_vcpu_token_fixed(av);
	}
	r = orig_setup_async_pf(vcpu, cr2_or_gpa, hva, arch);
	apfint_leave();
	return r;
}

/*
 * The filters (hook.c): only calls for a vCPU in interrupt mode are
 * ours, every other one runs kvm's original untouched, so that a guest
 * that never asks keeps the old behaviour exactly, and a call of its
 * that sleeps (GUP behind a userfaultfd) has no frame of ours to wait
 * for at unload.  The vCPU-thread hooks' answer cannot go stale during
 * the call: only that thread arms and disarms its vCPU.
 */
static bool apfint_vcpu_arg_armed(struct pt_regs *regs)
{
	return apfint_vcpu_is_armed((struct kvm_vcpu *)apfint_arg1(regs));
}

/* Counts the legacy page-readies the replacement used to count. */
static bool apfint_page_present_filter(struct pt_regs *regs)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)apfint_arg1(regs);

	if (apfint_vcpu_is_armed(vcpu))
		return true;
	if (vcpu->arch.apf.msr_val & KVM_ASYNC_PF_ENABLED)
		apfint_count(legacy);
	return false;
}

/*
 * The work item runs on a kworker while its vCPU may arm or disarm.  The
 * item and its vCPU are alive here: kvm frees the item after this
 * function, or cancels it synchronously, and keeps the vCPU until then
 * (by the item's VM reference, or by flushing it first).
 *   - Not armed when it starts, armed since: kvm's original queues the
 *     completion and wakes a halting vCPU as for any guest, and the vCPU
 *     loop's rescan after its next exit delivers it; only the kick is
 *     missed, for items started before the arm.
 *   - Armed when it starts, disarmed since: the replacement holds the
 *     module (pinned) until it is done, so rmmod is refused meanwhile
 *     instead of waiting, unkillable, for a page that may never come;
 *     its kick checks the mode again.
 */
static bool apfint_async_pf_execute_filter(struct pt_regs *regs)
{
	struct kvm_async_pf *apf = container_of((struct work_struct *)
						apfint_arg1(regs),
						struct kvm_async_pf, work);
	struct kvm_vcpu *vcpu = READ_ONCE(apf->vcpu);

	return vcpu && apfint_vcpu_is_armed(vcpu);
}

static struct apfint_hook apfint_deliver_table[] = {
	{ .name = "kvm_arch_async_page_not_present",
	  .replacement = apfint_page_not_present,
	  .orig = &orig_page_not_present, .filter = apfint_vcpu_arg_armed },
	{ .name = "kvm_arch_async_page_present",
	  .replacement = apfint_page_present, .orig = &orig_page_present,
	  .filter = apfint_page_present_filter },
	{ .name = "kvm_arch_can_inject_async_page_present",
	  .replacement = apfint_can_inject, .orig = &orig_can_inject,
	  .filter = apfint_vcpu_arg_armed },
	{ .name = "kvm_clear_async_pf_completion_queue",
	  .replacement = apfint_clear_completion_queue,
	  .orig = &orig_clear_completion_queue,
	  .filter = apfint_vcpu_arg_armed },
	{ .name = "kvm_setup_async_pf",
	  .replacement = apfint_setup_async_pf, .orig = &orig_setup_async_pf,
	  .filter = apfint_vcpu_arg_armed },
	{ .name = "async_pf_execute",
	  .replacement = apfint_async_pf_execute,
	  .orig = &orig_async_pf_execute,
	  .filter = apfint_async_pf_execute_filter, .pin = true },
};

struct apfint_hook_set apfint_deliver_hooks = {
	.hooks = apfint_deliver_table,
	.n = ARRAY_SIZE(apfint_deliver_table),
};

/*
 * Only vCPUs in interrupt mode need this one (it clears our request), and
 * kvm calls it after every exit: registered when the first vCPU arms, so
 * a host whose guests never ask pays nothing on that path.
 */
static struct apfint_hook apfint_arm_table[] = {
	{ .name = "kvm_check_async_pf_completion",
	  .orig = &orig_check_completion,
	  .filter = apfint_check_completion_filter },
};

struct apfint_hook_set apfint_arm_hooks = {
	.hooks = apfint_arm_table,
	.n = ARRAY_SIZE(apfint_arm_table),
	.lazy = true,
};

/*
 * Before a vCPU is armed: registers, the first time, the hooks only armed
 * vCPUs need (prepared at load); from then on every CPU runs them.  They
 * stay until unload, and fail to register once unloading removed them.
 */
#ifdef APFINT_TESTING
static bool test_fail_arm;
module_param(test_fail_arm, bool, 0644);
MODULE_PARM_DESC(test_fail_arm,
		 "testing only: fail every arm as if another livepatch owned kvm_check_async_pf_completion");
#else
#define test_fail_arm false
#endif

int apfint_deliver_arm(void)
{
	if (test_fail_arm)
		return -EBUSY;
	return apfint_hooks_register(&apfint_arm_hooks);
}

/*
 * How many direct calls (and, with jumps, tail jumps) the kvm function
 * name makes to target, or -1 when its code cannot be read.
 */
static int apfint_branches_in(const char *name, void *target, bool jumps)
{
	unsigned long address = apfint_lookup(name);
	unsigned long size = apfint_symbol_size(address);

	if (!size) {
		pr_err("kvm function %s not found or of unknown size\n", name);
		return -1;
	}
	return (jumps ? apfint_text_branches_to : apfint_text_calls_to)
		((const u8 *)address, size, address, (unsigned long)target);
}

/*
 * Who keeps the VM alive while kvm's async work item runs (text.h).
 * Upstream 3d75b8aa5c29 ("KVM: Always flush async #PF workqueue when
 * vCPU is being destroyed", CVE-2024-26976; 4.19.312, 5.4.274) removed
 * the work item's VM reference.  No header or version number tells the
 * two apart, and the static helper that fix added may be inlined, so
 * read kvm's code: the reference is taken by a call to kvm_get_kvm() in
 * kvm_setup_async_pf() and dropped by one to kvm_put_kvm() in
 * async_pf_execute().  Both or neither; anything else is a kvm we do not
 * know, and either guess would deadlock or break refcounting on every VM.
 */
static int apfint_resolve_ref_rule(void)
{
	int gets = apfint_branches_in("kvm_setup_async_pf", kvm_get_kvm, true);
	int puts = apfint_branches_in("async_pf_execute", kvm_put_kvm, true);

	if (gets < 0 || puts < 0)
		return -ENOENT;
	switch (apfint_ref_rule(gets, puts)) {
	case APFINT_REF_WORK_REF:
		apfint_work_holds_kvm_ref = true;
		break;
	case APFINT_REF_FLUSHED:
		apfint_work_holds_kvm_ref = false;
		break;
	default:
		pr_err("cannot tell who holds the VM in kvm's async work: kvm_setup_async_pf calls kvm_get_kvm %d time(s), async_pf_execute calls kvm_put_kvm %d time(s); not loading\n",
		       gets, puts);
		return -ENOEXEC;
	}
	pr_info("async work item %s a VM reference\n",
		apfint_work_holds_kvm_ref ? "holds" : "does not hold");
	return 0;
}

/*
 * The CR0.PG caller of kvm_clear_async_pf_completion_queue() is told
 * apart by its return address, which must lie in kvm_set_cr0() itself:
 * a compiler clone (kvm_set_cr0.part.N, .isra.N) or an inlining into
 * another function would put the call elsewhere and silently bring back
 * the stock clearing (the SMI/RSM lost page-ready).  So kvm_set_cr0()'s
 * code must call it directly, or we do not load.
 */
static int apfint_resolve_set_cr0(void)
{
	void *clear = (void *)apfint_lookup("kvm_clear_async_pf_completion_queue");
	int calls = clear ? apfint_branches_in("kvm_set_cr0", clear, false) : -1;

	if (calls < 0)
		return -ENOENT;
	if (!calls) {
		pr_err("kvm_set_cr0 does not call kvm_clear_async_pf_completion_queue itself (a compiler clone or inlining?): unexpected kvm build, not loading\n");
		return -ENOEXEC;
	}
	apfint_set_cr0_start = apfint_lookup("kvm_set_cr0");
	apfint_set_cr0_end = apfint_set_cr0_start +
			     apfint_symbol_size(apfint_set_cr0_start);
	return 0;
}

/* Functions we call but do not hook. */
int apfint_deliver_resolve(void)
{
	int err;

	/* kvm_setup_async_pf() takes a gva_t before v5.6 (and early 5.4.y) */
	BUILD_BUG_ON(sizeof(gva_t) != sizeof(gpa_t));
	apfint_apic_set_irq = (void *)apfint_lookup("kvm_apic_set_irq");
	if (!apfint_apic_set_irq) {
		pr_err("kvm symbol kvm_apic_set_irq not found: unexpected kvm layout, not loading\n");
		return -ENOENT;
	}
	err = apfint_resolve_ref_rule();
	if (err)
		return err;
	return apfint_resolve_set_cr0();
}
