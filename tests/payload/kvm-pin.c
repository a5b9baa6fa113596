// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-pin: started by init.sh in L1 with APFINT_PIN=1, an experiment
 * (docs/EMULATION.md has its results).  Holds one VM whose one vCPU is
 * never run and keeps its local APIC software- and hardware-disabled, so
 * that kvm's apic_sw_disabled and apic_hw_disabled static keys stay on for
 * the whole boot.  Without it, every vCPU whose APIC is reset or toggled
 * (VM creation, an L2 CPU going offline and online) flips them, and kvm
 * patches its own code while the other L1 CPU may be running it; under
 * QEMU's multi-threaded TCG that is where L1s froze (a CPU left at int3,
 * or at the jump-label NOP in __apic_accept_irq).  A parked VM changes
 * nothing else: it never runs, faults or touches the async PF MSRs.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_IA32_APICBASE	0x1b
#define APIC_DEFAULT_BASE	0xfee00000ULL	/* without ENABLE: hw-disabled */

int main(void)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs;
	int kvm, vm, vcpu;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("kvm-pin: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		perror("kvm-pin: VM with an in-kernel irqchip");
		return 1;
	}
	/* Created software-disabled (SPIV reset value): the first key. */
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm-pin: vCPU");
		return 1;
	}
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.entry.index = MSR_IA32_APICBASE;
	msrs.entry.data = APIC_DEFAULT_BASE;
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		fprintf(stderr, "kvm-pin: cannot hardware-disable the APIC\n");
	printf("APFINT-PIN kvm static keys held by an idle VM\n");
	fflush(stdout);
	for (;;)
		pause();
}
