// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: what userspace and the guest see of the feature: the MSRs
 * (EN bit 3, INT, ACK), KVM_CAP_ASYNC_PF_INT, CPUID 0x40000001.EAX bit 14
 * and the MSR index list.  Shaped like upstream 5.8's x86.c: one helper
 * per MSR, returning 1 for #GP and 0 for OK; the accessors only dispatch
 * (they wrap the vendor's, see ops.c; the rest are ftrace hooks).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/uaccess.h>

#include "apfint_host.h"
#include "trace.h"

/*
 * What our MSR accessors fall back to: the vendor's set_msr and get_msr
 * (before 5.4, kvm_get_msr_common() past its ftrace call site).
 */
static apfint_msr_fn orig_set_msr;
static apfint_msr_fn orig_get_msr;
static int (*orig_check_extension)(struct kvm *kvm, long ext);
static int (*orig_get_cpuid)(struct kvm_cpuid2 *cpuid,
			     struct kvm_cpuid_entry2 __user *entries,
			     unsigned int type);
static long (*orig_dev_ioctl)(struct file *filp, unsigned int ioctl,
			      unsigned long arg);

static bool apfint_lapic_in_kernel(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.apic;
}

static int apfint_set_int(struct kvm_vcpu *vcpu, u64 data)
{
	struct apfint_vcpu *av;

	if (apfint_check_int_msr(data, apfint_lapic_in_kernel(vcpu)))
		return 1;
	av = apfint_vcpu_find(vcpu);
	/* Userspace writes 0 on every reset: no state needed for that. */
	if (!av && !data)
		return 0;
	if (!av)
		av = apfint_vcpu_lookup_or_create(vcpu);
	if (!av)
		return 1;
	apfint_vcpu_set_int(av, data);
	return 0;
}

/*
 * EN.  Without bit 3 the write is stock kvm's alone (after leaving
 * interrupt mode).  With bit 3, kvm gets the value without it (old kvm
 * treats bit 3 as reserved) and we keep the rest of upstream's semantics;
 * bit 3 without ENABLED is off, as upstream, and reads keep bit 3.
 */
static int apfint_set_en(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	u64 data = msr_info->data;
	bool wants_int = apfint_en_wants_int(data);
	struct msr_data stripped = *msr_info;
	struct apfint_vcpu *av = apfint_vcpu_find(vcpu);
	struct gfn_to_hva_cache slot = {};
	int r, ref = 0;

	if (!(data & KVM_ASYNC_PF_DELIVERY_AS_INT)) {
		/*
		 * A value kvm rejects must change nothing, but old kvm checks
		 * only after we would have left interrupt mode: check first.
		 * Leave it before kvm's write, whose wake-all must go out the
		 * old way.
		 */
		if (apfint_check_en_msr(data, apfint_lapic_in_kernel(vcpu)))
			return 1;
		if (av)
			apfint_vcpu_disarm(av);
		return orig_set_msr(vcpu, msr_info);
	}

	if (apfint_check_en_msr(data, apfint_lapic_in_kernel(vcpu)))
		return 1;
	if (!av)
		av = apfint_vcpu_lookup_or_create(vcpu);
	if (!av)
		return 1;
	/*
	 * Map the token word before kvm commits to anything, so that a bad
	 * GPA fails the write cleanly and leaves the previous state whole
	 * (upstream stores EN first and keeps a broken cache).  The area is
	 * 64-byte aligned, so the word never crosses a page.
	 */
	if (wants_int &&
	    kvm_gfn_to_hva_cache_init(vcpu->kvm, &slot,
				      (data & APFINT_EN_GPA_MASK) +
				      APFINT_AREA_TOKEN_OFFSET, sizeof(u32)))
		return 1;

	/*
	 * Everything that can fail comes before kvm's write, so that a
	 * refused arm leaves kvm's EN, and the queue its guest waits on,
	 * as they were: the exit-path hook (another livepatch may own it)
	 * and the module reference (the module may be going away).
	 */
	if (wants_int) {
		if (apfint_deliver_arm())
			return 1;
		ref = apfint_vcpu_arm_get(av);
		if (ref < 0)
			return 1;
	}
	stripped.data = apfint_en_for_kvm(data);
	r = orig_set_msr(vcpu, &stripped);
	if (r) {
		apfint_vcpu_arm_put(ref);
		return r;
	}
	/*
	 * kvm queued its wake-all; it is dequeued on this thread after we
	 * return, by which time the vCPU is armed and it goes out as an
	 * interrupt like upstream's.
	 */
	apfint_vcpu_set_en(av, data, &slot);
	return 0;
}

static int apfint_set_ack(struct kvm_vcpu *vcpu, u64 data)
{
	struct apfint_vcpu *av;

	if (!(data & APFINT_ACK_BIT))
		return 0;
	av = apfint_vcpu_find(vcpu);
	if (!av)
		return 0;
	if (apfint_vcpu_ack(av) == APFINT_ACK_IGNORED)
		return 0;
	/*
	 * Pairs with the smp_mb() in the work item's kick: either it sees
	 * the pending mark gone and kicks, or this rescan sees its
	 * completion.
	 */
	smp_mb();
	apfint_check_completion(vcpu);
	return 0;
}

/* kvm_x86_ops->set_msr while we are loaded (ops.c) */
static int apfint_set_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	bool pinned;
	int r;

	apfint_enter();
	switch (msr_info->index) {
	case MSR_KVM_ASYNC_PF_EN:
		/*
		 * kvm's EN write without ENABLED cancels the vCPU's async work
		 * synchronously, which waits for an item in GUP, for as long
		 * as userspace holds its page: hold the module meanwhile, so
		 * that rmmod is refused instead of waiting for this call
		 * (apfint_hooks_drain()).  While the module is going there is
		 * nothing to hold, and no vCPU is armed.
		 */
		pinned = try_module_get(THIS_MODULE);
		r = apfint_set_en(vcpu, msr_info);
		if (pinned)
			module_put(THIS_MODULE);
		break;
	case MSR_KVM_ASYNC_PF_INT:
		r = apfint_set_int(vcpu, msr_info->data);
		break;
	case MSR_KVM_ASYNC_PF_ACK:
		r = apfint_set_ack(vcpu, msr_info->data);
		break;
	default:
		r = orig_set_msr(vcpu, msr_info);
		break;
	}
	if (r && (msr_info->index == MSR_KVM_ASYNC_PF_EN ||
		  msr_info->index == MSR_KVM_ASYNC_PF_INT))
		trace_apfint_msr_refused(vcpu->vcpu_id, msr_info->index,
					 msr_info->data);
	apfint_leave();
	return r;
}

/*
 * kvm_x86_ops->get_msr while we are loaded (ops.c); before 5.4 the
 * replacement of kvm_get_msr_common()
 */
static int apfint_get_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	struct apfint_vcpu *av;
	int r = 0;

	apfint_enter();
	switch (msr_info->index) {
	case MSR_KVM_ASYNC_PF_EN:
		r = orig_get_msr(vcpu, msr_info);
		av = apfint_vcpu_find(vcpu);
		if (!r && av && (av->apf.en & KVM_ASYNC_PF_DELIVERY_AS_INT))
			msr_info->data |= KVM_ASYNC_PF_DELIVERY_AS_INT;
		break;
	case MSR_KVM_ASYNC_PF_INT:
		av = apfint_vcpu_find(vcpu);
		msr_info->data = av ? av->apf.int_msr : 0;
		break;
	case MSR_KVM_ASYNC_PF_ACK:
		/* Write-only in effect; upstream reads 0. */
		msr_info->data = 0;
		break;
	default:
		r = orig_get_msr(vcpu, msr_info);
		break;
	}
	apfint_leave();
	return r;
}

static int apfint_check_extension(struct kvm *kvm, long ext)
{
	int r;

	apfint_enter();
	if (ext == KVM_CAP_ASYNC_PF_INT)
		r = 1;
	else
		r = orig_check_extension(kvm, ext);
	apfint_leave();
	return r;
}

/*
 * KVM_GET_SUPPORTED_CPUID: the entries are already in the user's buffer
 * when the original returns; set bit 14 in 0x40000001.EAX there.  Runs in
 * the ioctl's process context, so the user accesses are plain ones.
 */
static int apfint_get_cpuid(struct kvm_cpuid2 *cpuid,
			    struct kvm_cpuid_entry2 __user *entries,
			    unsigned int type)
{
	u32 i, function, eax;
	int r;

	apfint_enter();
	r = orig_get_cpuid(cpuid, entries, type);
	if (r || type != KVM_GET_SUPPORTED_CPUID)
		goto out;
	for (i = 0; i < cpuid->nent; i++) {
		if (get_user(function, &entries[i].function)) {
			r = -EFAULT;
			goto out;
		}
		if (function != KVM_CPUID_FEATURES)
			continue;
		if (get_user(eax, &entries[i].eax) ||
		    put_user(eax | BIT(KVM_FEATURE_ASYNC_PF_INT),
			     &entries[i].eax))
			r = -EFAULT;
		break;
	}
out:
	apfint_leave();
	return r;
}

static const u32 apfint_msrs[] = { MSR_KVM_ASYNC_PF_INT, MSR_KVM_ASYNC_PF_ACK };

/*
 * KVM_GET_MSR_INDEX_LIST: append our MSRs after kvm's, keeping its E2BIG
 * protocol (nmsrs always reports the full count).
 */
static long apfint_msr_index_list(struct file *filp, unsigned long arg)
{
	struct kvm_msr_list __user *user_list = (void __user *)arg;
	u32 room, count;
	long r;

	if (get_user(room, &user_list->nmsrs))
		return -EFAULT;
	r = orig_dev_ioctl(filp, KVM_GET_MSR_INDEX_LIST, arg);
	if (r && r != -E2BIG)
		return r;
	if (get_user(count, &user_list->nmsrs))
		return -EFAULT;
	if (put_user(count + (u32)ARRAY_SIZE(apfint_msrs), &user_list->nmsrs))
		return -EFAULT;
	if (r || room < count + ARRAY_SIZE(apfint_msrs))
		return -E2BIG;
	if (copy_to_user(user_list->indices + count, apfint_msrs,
			 sizeof(apfint_msrs)))
		return -EFAULT;
	return 0;
}

static long apfint_dev_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	long r;

	apfint_enter();
	if (ioctl == KVM_GET_MSR_INDEX_LIST)
		r = apfint_msr_index_list(filp, arg);
	else
		r = orig_dev_ioctl(filp, ioctl, arg);
	apfint_leave();
	return r;
}

/*
 * The filters (hook.c): only the calls these replacements change are
 * redirected, every other one is kvm's alone.
 */
static bool apfint_check_extension_filter(struct pt_regs *regs)
{
	return (long)apfint_arg2(regs) == KVM_CAP_ASYNC_PF_INT;
}

static bool apfint_get_cpuid_filter(struct pt_regs *regs)
{
	return (unsigned int)apfint_arg3(regs) == KVM_GET_SUPPORTED_CPUID;
}

static bool apfint_dev_ioctl_filter(struct pt_regs *regs)
{
	return (unsigned int)apfint_arg2(regs) == KVM_GET_MSR_INDEX_LIST;
}

/* Reads of INT and ACK, and of EN where we may have to add bit 3. */
static bool __maybe_unused apfint_get_msr_filter(struct pt_regs *regs)
{
	struct msr_data *msr_info = (struct msr_data *)apfint_arg2(regs);

	switch (msr_info->index) {
	case MSR_KVM_ASYNC_PF_EN:
		return apfint_vcpu_find((struct kvm_vcpu *)apfint_arg1(regs));
	case MSR_KVM_ASYNC_PF_INT:
	case MSR_KVM_ASYNC_PF_ACK:
		return true;
	default:
		return false;
	}
}

static struct apfint_hook apfint_msr_table[] = {
	{ .name = "kvm_vm_ioctl_check_extension",
	  .replacement = apfint_check_extension,
	  .orig = &orig_check_extension,
	  .filter = apfint_check_extension_filter },
	{ .name = "kvm_dev_ioctl_get_cpuid", .replacement = apfint_get_cpuid,
	  .orig = &orig_get_cpuid, .filter = apfint_get_cpuid_filter },
	{ .name = "kvm_arch_dev_ioctl", .replacement = apfint_dev_ioctl,
	  .orig = &orig_dev_ioctl, .filter = apfint_dev_ioctl_filter },
#if !APFINT_WRAP_GET_MSR
	/* guest reads, which bypass kvm_x86_ops->get_msr (see below) */
	{ .name = "kvm_get_msr_common", .replacement = apfint_get_msr,
	  .orig = &orig_get_msr, .filter = apfint_get_msr_filter },
#endif
};

struct apfint_hook_set apfint_msr_hooks = {
	.hooks = apfint_msr_table,
	.n = ARRAY_SIZE(apfint_msr_table),
};

/*
 * Every MSR write goes through kvm_x86_ops->set_msr.  Reads do from 5.4;
 * before, guest RDMSR exits call the vendor's get_msr directly, so
 * kvm_get_msr_common() is hooked instead (above).
 */
static const struct apfint_msr_ops apfint_msr_accessors = {
	.set_msr = apfint_set_msr,
	.get_msr = APFINT_WRAP_GET_MSR ? apfint_get_msr : NULL,
	.orig_set_msr = &orig_set_msr,
	.orig_get_msr = &orig_get_msr,
};

/* Route kvm's MSR accesses through the accessors above. */
int apfint_msr_wrap(void)
{
	return apfint_msr_ops_install(&apfint_msr_accessors);
}
