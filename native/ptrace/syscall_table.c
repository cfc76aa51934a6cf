/* SPDX-License-Identifier: MIT */
#include "syscall_table.h"

#include <sys/syscall.h>

#define ROW(n, k) { __NR_##n, k, #n }

const struct sc_row SC_TABLE[] = {
#ifdef __NR_open
	ROW(open, SC_OPEN),
#endif
	ROW(openat, SC_OPENAT),
#ifdef __NR_openat2
	ROW(openat2, SC_OPENAT2),
#endif
#ifdef __NR_creat
	ROW(creat, SC_CREAT),
#endif
#ifdef __NR_rename
	ROW(rename, SC_RENAME),
#endif
#ifdef __NR_renameat
	ROW(renameat, SC_RENAMEAT),
#endif
	ROW(renameat2, SC_RENAMEAT),
#ifdef __NR_unlink
	ROW(unlink, SC_UNLINK),
#endif
	ROW(unlinkat, SC_UNLINKAT),
#ifdef __NR_mkdir
	ROW(mkdir, SC_MKDIR),
#endif
	ROW(mkdirat, SC_MKDIRAT),
#ifdef __NR_rmdir
	ROW(rmdir, SC_RMDIR),
#endif
#ifdef __NR_link
	ROW(link, SC_LINK),
#endif
	ROW(linkat, SC_LINKAT),
#ifdef __NR_symlink
	ROW(symlink, SC_SYMLINK),
#endif
	ROW(symlinkat, SC_SYMLINKAT),
	ROW(chdir, SC_CHDIR),
	ROW(fchdir, SC_FCHDIR),
	ROW(execve, SC_EXEC),
	ROW(execveat, SC_EXEC),
};

const int SC_COUNT = sizeof(SC_TABLE) / sizeof(SC_TABLE[0]);
