// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest as built for a guest kernel that takes 'page ready' as an
 * interrupt itself, one older than apfint_guest's code compiles for, or
 * one without the vector it borrows (include/compat/kbuild.mk, Kbuild).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "apfint_refuse.h"

static void apfint_refuse_say(void)
{
	if (APFINT_GUEST_NATIVE)
		pr_info("this guest kernel takes 'page ready' as an interrupt itself (Linux 5.9+, or a backport); apfint_guest is not needed; not loading\n");
	else if (APFINT_TOO_OLD)
		pr_err("this kernel is older than Linux 4.14, the oldest apfint_guest's sources build for; not loading\n");
	else
		pr_err("this kernel has no POSTED_INTR_WAKEUP_VECTOR to borrow (built without CONFIG_HAVE_KVM); not loading\n");
}

MODULE_DESCRIPTION("apfint_guest, built as a refusal only: this kernel does not need it");
