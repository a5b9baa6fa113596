// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host as built for a kernel whose KVM has interrupt-based 'page
 * ready' delivery itself, one older than apfint_host's code compiles for,
 * or one whose kvm took apfint_host's private request bit
 * (include/compat/kbuild.mk decides).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "apfint_refuse.h"

static void apfint_refuse_say(void)
{
	if (APFINT_HOST_NATIVE)
		pr_info("this kernel's KVM already has KVM_CAP_ASYNC_PF_INT (Linux 5.8+, or a backport); apfint_host is not needed; not loading\n");
	else if (APFINT_TOO_OLD)
		pr_err("this kernel is older than Linux 4.14, the oldest apfint_host's sources build for; not loading\n");
	else
		pr_err("this kernel's kvm defines vCPU request %d itself (a backport?), which apfint_host needs for its own; not loading\n",
		       APFINT_REQ_NR);
}

MODULE_DESCRIPTION("apfint_host, built as a refusal only: this kernel does not need it");
