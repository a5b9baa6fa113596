/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whole of a module built for a kernel it does not apply to (each
 * module's Kbuild picks its refuse.c instead of the real objects): loading
 * it only says why not.  -ENODEV because boot-time loaders such as
 * systemd-modules-load treat it as "not for this machine", not as a
 * failure.  The including file defines apfint_refuse_say(), which prints
 * the reason.
 */
#ifndef APFINT_REFUSE_H
#define APFINT_REFUSE_H

#include <linux/module.h>
#include <linux/printk.h>

static void apfint_refuse_say(void);

static int __init apfint_refuse_init(void)
{
	pr_info("version %s\n", APFINT_VERSION);
	apfint_refuse_say();
	return -ENODEV;
}
module_init(apfint_refuse_init);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("apfint maintainers");
MODULE_VERSION(APFINT_VERSION);

#endif /* APFINT_REFUSE_H */
