/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apfint_host: the kernel-independent rules of interrupt-based 'page ready'
 * delivery, i.e. the part of upstream 5.8's kvm_vcpu_arch.apf that old
 * kernels lack.  Only <linux/types.h>, <linux/bits.h> and
 * the ABI header may be used here, so that tests/unit compiles this very
 * code in userspace.
 */
#ifndef APFINT_HOST_STATE_H
#define APFINT_HOST_STATE_H

#include <linux/types.h>
#include <linux/bits.h>
#include "apfint_abi.h"

/*
 * Delivery mode of one vCPU.  IDLE is stock kvm behaviour (legacy #PF
 * 'page ready', or APF off); only the guest's EN write with ENABLED and
 * DELIVERY_AS_INT leaves it.
 *
 *            EN = gpa|ENABLED|AS_INT           token written, IRQ injected
 *   IDLE  --------------------------> ARMED ---------------------> PENDING
 *    ^  ^  EN without AS_INT, reset     |  ^          ACK             |
 *    |  +-------------------------------+  +--------------------------+
 *    +------------------- EN without AS_INT, reset ------------------+
 */
enum apfint_mode {
	APFINT_IDLE,
	APFINT_ARMED,
	APFINT_PENDING,
};

/*
 * Not-present events that were not injected as #PF (the vCPU was halted
 * instead) need no 'page ready' (upstream: work->notpresent_injected).
 * At most ASYNC_PF_PER_VCPU (64) are outstanding; a full table overwrites
 * its oldest entry, which at worst costs one spurious wake-up in the guest.
 */
#define APFINT_HALTED_SLOTS	64

struct apfint_apf {
	enum apfint_mode mode;
	u64 en;			/* MSR_KVM_ASYNC_PF_EN as written, with bit 3 */
	u64 int_msr;		/* MSR_KVM_ASYNC_PF_INT */
	u32 halted[APFINT_HALTED_SLOTS];
	bool halted_used[APFINT_HALTED_SLOTS];
	unsigned int halted_next;
};

/* Guest vectors below 32 are exceptions: such an INT value is never used. */
#define APFINT_MIN_VECTOR	32

void apfint_apf_init(struct apfint_apf *apf);

int apfint_check_int_msr(u64 data, bool lapic_in_kernel);
int apfint_check_en_msr(u64 data, bool lapic_in_kernel);
bool apfint_en_wants_int(u64 data);
u64 apfint_en_for_kvm(u64 data);
u8 apfint_vector(const struct apfint_apf *apf);
bool apfint_vector_usable(u8 vector);

bool apfint_armed(const struct apfint_apf *apf);
bool apfint_arm(struct apfint_apf *apf, u64 en);
bool apfint_disarm(struct apfint_apf *apf);
bool apfint_can_dequeue(const struct apfint_apf *apf, bool lapic_enabled,
			u32 slot);
bool apfint_mark_pending(struct apfint_apf *apf);

/*
 * What an ACK did.  Only a PAIRED ACK acknowledges an injected page-ready;
 * a SPARE one (nothing pending) is legal and only forces a rescan.
 */
enum apfint_ack_result {
	APFINT_ACK_IGNORED,	/* IDLE: nothing to acknowledge, no rescan */
	APFINT_ACK_SPARE,	/* ARMED: nothing pending, rescan */
	APFINT_ACK_PAIRED,	/* PENDING -> ARMED, rescan */
};

enum apfint_ack_result apfint_ack(struct apfint_apf *apf);

void apfint_note_halted(struct apfint_apf *apf, u32 token);
bool apfint_take_halted(struct apfint_apf *apf, u32 token);

u32 apfint_fix_token(u32 token, u32 *apf_id, u32 vcpu_id);

#endif /* APFINT_HOST_STATE_H */
