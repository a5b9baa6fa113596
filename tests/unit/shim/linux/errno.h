/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/errno.h>, for the unit tests only. */
#include <errno.h>
