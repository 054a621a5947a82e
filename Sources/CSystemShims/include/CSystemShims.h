#ifndef SMELT_SYSTEM_SHIMS_H
#define SMELT_SYSTEM_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// fallocate(2) mode 0, which Glibc's Swift overlay does not expose.
int smelt_fallocate(int fd, off_t offset, off_t length);

/// sync_file_range(2) with SYNC_FILE_RANGE_WRITE: starts writeback of a
/// range without waiting, which Glibc's Swift overlay does not expose.
int smelt_start_writeback(int fd, off_t offset, off_t length);

/// Opens an existing file for writing with O_DIRECT (writes bypass the page
/// cache), which Glibc's Swift overlay does not expose. Returns the
/// descriptor, or -1 with errno set (EINVAL where the file system has no
/// direct I/O).
int smelt_open_direct_writing(const char *path);

/// openat(2) with a mode, which Glibc's Swift overlay does not import (it
/// is variadic in C). Returns the descriptor, or -1 with errno set.
int smelt_openat(int directory, const char *name, int flags, mode_t mode);

/// Installs the process-wide SIGBUS handler. A fault inside a registered
/// mapping prints one line naming the file and exits with `exit_code`;
/// any other SIGBUS falls back to the default action (a crash report).
void smelt_install_sigbus_handler(int exit_code);

/// Records that [base, base+length) maps `path`, so a SIGBUS there can name
/// it. Returns a slot number for smelt_unregister_mapping, or -1 when every
/// slot is taken (the mapping then still works, it just cannot be named).
int smelt_register_mapping(const void *base, size_t length, const char *path);
void smelt_unregister_mapping(int slot);

/// Keeps freed blocks of up to 32 MiB in the heap for reuse (glibc's
/// M_MMAP_THRESHOLD at its largest, M_TRIM_THRESHOLD at 1 GiB) instead of
/// returning them to the system: a training step allocates the same
/// buffers layer after layer, which would otherwise fault in again, zeroed.
void smelt_keep_freed_memory(void);


#endif
