/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/errno.h>, for the unit tests only.  It must
 * not include <errno.h>: glibc's errno.h reaches <linux/errno.h> itself, so
 * that would be a cycle that leaves EINVAL and friends undefined.
 */
#ifndef APFINT_SHIM_ERRNO_H
#define APFINT_SHIM_ERRNO_H
#include <asm-generic/errno.h>
#endif
