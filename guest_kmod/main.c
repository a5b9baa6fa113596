// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_guest: switches a KVM guest kernel that takes 'page ready' as a #PF
 * (Linux 4.14 to 5.8) to interrupt-based delivery.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "apfint_compat.h"
#include "apfint_abi.h"

static int __init apfint_guest_init(void)
{
	pr_info("version %s\n", APFINT_VERSION);
	if (APFINT_GUEST_IS_NATIVE) {
		pr_err("this guest kernel takes 'page ready' as an interrupt itself; apfint_guest is not needed\n");
		return -EEXIST;
	}
	pr_info("interrupt delivery is not implemented yet; loaded as a placeholder\n");
	return 0;
}

static void __exit apfint_guest_exit(void)
{
	pr_info("unloaded\n");
}

module_init(apfint_guest_init);
module_exit(apfint_guest_exit);
MODULE_DESCRIPTION("Interrupt-based async page fault 'page ready' for old KVM guests");
MODULE_LICENSE("GPL");
MODULE_VERSION(APFINT_VERSION);
