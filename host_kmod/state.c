// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: MSR validation and the per-vCPU delivery state machine.
 * Pure logic, shaped like upstream 5.8's kvm_pv_enable_async_pf() and
 * kvm_pv_enable_async_pf_int(): each check returns 1 for #GP and 0 for OK.
 * Built into the module and, unchanged, into tests/unit/test_host_state.
 */
#include "state.h"

void apfint_apf_init(struct apfint_apf *apf)
{
	unsigned int i;

	apf->mode = APFINT_IDLE;
	apf->en = 0;
	apf->int_msr = 0;
	for (i = 0; i < APFINT_HALTED_SLOTS; i++) {
		apf->halted[i] = 0;
		apf->halted_used[i] = false;
	}
	apf->halted_next = 0;
}

/*
 * MSR_KVM_ASYNC_PF_INT: bits 63:8 are reserved, and the vector can only be
 * delivered through an in-kernel LAPIC (upstream: same two rules).
 */
int apfint_check_int_msr(u64 data, bool lapic_in_kernel)
{
	if (data & ~KVM_ASYNC_PF_VEC_MASK)
		return 1;
	if (!lapic_in_kernel)
		return 1;
	return 0;
}

/*
 * MSR_KVM_ASYNC_PF_EN with DELIVERY_AS_INT.  Bits 5:4 stay reserved, and
 * interrupt delivery needs an in-kernel LAPIC.  EN may come before INT
 * (userspace restoring state, or a guest doing it in that order, which
 * upstream accepts): no #GP for that; instead nothing is delivered while
 * the vector is unusable (< 32, where upstream would raise a vector the
 * LAPIC never delivers), see apfint_vector_usable().
 */
int apfint_check_en_msr(u64 data, bool lapic_in_kernel)
{
	if (data & APFINT_EN_RESERVED_BITS)
		return 1;
	if (apfint_en_wants_int(data) && !lapic_in_kernel)
		return 1;
	return 0;
}

bool apfint_en_wants_int(u64 data)
{
	u64 mask = KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT;

	return (data & mask) == mask;
}

/* Old kvm treats bit 3 as reserved: it must never see it. */
u64 apfint_en_for_kvm(u64 data)
{
	return data & ~(u64)KVM_ASYNC_PF_DELIVERY_AS_INT;
}

u8 apfint_vector(const struct apfint_apf *apf)
{
	return apf->int_msr & KVM_ASYNC_PF_VEC_MASK;
}

bool apfint_vector_usable(u8 vector)
{
	return vector >= APFINT_MIN_VECTOR;
}

bool apfint_armed(const struct apfint_apf *apf)
{
	return apf->mode != APFINT_IDLE;
}

/*
 * Enter interrupt mode, or stay in it with a new EN value.  Returns true
 * when the vCPU was IDLE, i.e. when the caller must take its module
 * reference.  A new EN value also drops a pending mark: it names a fresh
 * area, and a guest that re-enables (kexec, resume) will not ACK a token
 * it never saw; waiting for that ACK would stall delivery for good.
 */
bool apfint_arm(struct apfint_apf *apf, u64 en)
{
	bool was_idle = apf->mode == APFINT_IDLE;

	apf->en = en;
	apf->mode = APFINT_ARMED;
	return was_idle;
}

/*
 * Whether a ready page may be dequeued now (upstream 5.8's
 * kvm_arch_can_dequeue_async_page_present() with its later LAPIC fix): the
 * LAPIC is enabled, the vector usable, the slot reads 0, and no page-ready
 * waits for its ACK.  Upstream gets the last rule implicitly: it rescans
 * only on ACK or a new completion, while old kvm rescans after every exit,
 * which would deliver as soon as the guest clears the slot.
 */
bool apfint_can_dequeue(const struct apfint_apf *apf, bool lapic_enabled,
			u32 slot)
{
	return apf->mode == APFINT_ARMED && lapic_enabled &&
	       apfint_vector_usable(apfint_vector(apf)) && slot == 0;
}

/*
 * Leave interrupt mode (EN without bit 3, vCPU reset or destruction).
 * Returns true when the vCPU was armed, i.e. when the caller must drop its
 * module reference.  The vector is kept: only reset clears INT.
 */
bool apfint_disarm(struct apfint_apf *apf)
{
	bool was_armed = apf->mode != APFINT_IDLE;
	unsigned int i;

	apf->mode = APFINT_IDLE;
	apf->en = 0;
	for (i = 0; i < APFINT_HALTED_SLOTS; i++)
		apf->halted_used[i] = false;
	apf->halted_next = 0;
	return was_armed;
}

/*
 * A token went into the slot and the vector was injected.  Returns false
 * for the illegal IDLE source state (the caller WARNs).
 */
bool apfint_mark_pending(struct apfint_apf *apf)
{
	if (apf->mode == APFINT_IDLE)
		return false;
	apf->mode = APFINT_PENDING;
	return true;
}

/*
 * MSR_KVM_ASYNC_PF_ACK bit 0.  ARMED -> ARMED is legal: upstream clears a
 * flag that may already be clear, and a guest may ACK to force a rescan.
 * Such a spare ACK acknowledges no interrupt, so it is told apart from the
 * one that clears the pending mark: counting both as one breaks the
 * invariant "every injection is ACKed exactly once".
 */
enum apfint_ack_result apfint_ack(struct apfint_apf *apf)
{
	switch (apf->mode) {
	case APFINT_PENDING:
		apf->mode = APFINT_ARMED;
		return APFINT_ACK_PAIRED;
	case APFINT_ARMED:
		return APFINT_ACK_SPARE;
	default:
		return APFINT_ACK_IGNORED;
	}
}

void apfint_note_halted(struct apfint_apf *apf, u32 token)
{
	unsigned int i = apf->halted_next;

	apf->halted[i] = token;
	apf->halted_used[i] = true;
	apf->halted_next = (i + 1) % APFINT_HALTED_SLOTS;
}

/* Returns true (and forgets the token) when its #PF was never injected. */
bool apfint_take_halted(struct apfint_apf *apf, u32 token)
{
	unsigned int i;

	for (i = 0; i < APFINT_HALTED_SLOTS; i++) {
		if (apf->halted_used[i] && apf->halted[i] == token) {
			apf->halted_used[i] = false;
			return true;
		}
	}
	return false;
}

/*
 * Old kvm makes tokens as (apf.id++ << 12) | vcpu_id, which is 0 for vCPU 0
 * once every 2^20 faults; under the interrupt protocol 0 means "slot free".
 * Upstream later skipped 0 the same way (alloc_apf_token()): draw the next
 * id, which cannot give 0 again.
 */
u32 apfint_fix_token(u32 token, u32 *apf_id, u32 vcpu_id)
{
	if (token)
		return token;
	return ((*apf_id)++ << 12) | vcpu_id;
}
