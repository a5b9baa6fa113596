# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/harness/quirks.sh: what particular kernels need on their command
# line to boot and run under the emulator, in one place.  Sourced by vm.

# l1_quirks HOST GUEST: L1's extra command line for kernel HOST (GUEST is
# empty when L1 runs no L2).
l1_quirks() {
	local host=$1 guest=$2
	# 4.14.67's kvm lists IA32_ARCH_CAPABILITIES for save/restore but fails
	# its write on AMD (4.14.110 fixed it), and QEMU 7.2 in L1 aborts on
	# that: let kvm ignore MSRs it does not know, there and only for a QEMU
	# L2 (it would hide the #GP of unknown MSRs from the conformance probe).
	[ -n "$guest" ] && kernel_is_before "$host" 4.15 && printf '%s ' kvm.ignore_msrs=1
	# 5.7's nested SVM rework runs no nested guest on QEMU's emulated NPT
	# (its guests never make progress, stock or not); with shadow paging
	# they do.
	case $host in 5.7.*) printf '%s ' kvm_amd.npt=0 ;; esac
	return 0
}
