// SPDX-License-Identifier: GPL-2.0
/*
 * cap: what userspace (QEMU) sees before it creates a VM:
 * KVM_CHECK_EXTENSION(KVM_CAP_ASYNC_PF_INT) answers 1, and
 * KVM_GET_SUPPORTED_CPUID reports KVM_FEATURE_ASYNC_PF_INT (bit 14 of
 * 0x40000001 EAX) next to KVM_FEATURE_ASYNC_PF (bit 4).
 */
#include <sys/ioctl.h>
#include <unistd.h>
#include "probe.h"

int main(void)
{
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e;
	int fd;

	probe_init("cap");
	fd = kvm_open();
	check_num("cap_async_pf", ioctl(fd, KVM_CHECK_EXTENSION,
					KVM_CAP_ASYNC_PF), 1);
	check_num("cap_async_pf_int", ioctl(fd, KVM_CHECK_EXTENSION,
					    KVM_CAP_ASYNC_PF_INT), 1);
	c = kvm_supported_cpuid(fd);
	e = cpuid_find(c, KVM_CPUID_FEATURES, 0);
	if (!check("cpuid_kvm_leaf", e != NULL, "leaf 0x40000001 listed"))
		return probe_finish();
	probe_note("CPUID 0x40000001 EAX = %#x", e->eax);
	check_bool("cpuid_async_pf", e->eax & (1u << KVM_FEATURE_ASYNC_PF),
		   true);
	check_bool("cpuid_async_pf_int",
		   e->eax & (1u << KVM_FEATURE_ASYNC_PF_INT), true);
	close(fd);
	return probe_finish();
}
