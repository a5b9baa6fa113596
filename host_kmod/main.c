// SPDX-License-Identifier: GPL-2.0
/*
 * apfint_host: interrupt-based async page fault 'page ready' delivery for
 * KVM hosts that lack it (Linux 4.14 to 5.7).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "apfint_compat.h"
#include "apfint_abi.h"

static int __init apfint_host_init(void)
{
	pr_info("version %s\n", APFINT_VERSION);
	if (APFINT_HOST_IS_NATIVE) {
		pr_err("this kernel's KVM already has KVM_CAP_ASYNC_PF_INT; apfint_host is not needed\n");
		return -EEXIST;
	}
	pr_info("interrupt delivery is not implemented yet; loaded as a placeholder\n");
	return 0;
}

static void __exit apfint_host_exit(void)
{
	pr_info("unloaded\n");
}

module_init(apfint_host_init);
module_exit(apfint_host_exit);
MODULE_DESCRIPTION("Interrupt-based async page fault 'page ready' for old KVM hosts");
MODULE_LICENSE("GPL");
MODULE_VERSION(APFINT_VERSION);
