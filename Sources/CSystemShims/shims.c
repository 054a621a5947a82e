// The one place Smelt needs C: a signal handler must be async-signal-safe,
// which Swift code cannot promise, and fallocate, sync_file_range and
// O_DIRECT are not in Swift's Glibc.
#define _GNU_SOURCE
#include "CSystemShims.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

int smelt_fallocate(int fd, off_t offset, off_t length) {
    return fallocate(fd, 0, offset, length);
}

int smelt_start_writeback(int fd, off_t offset, off_t length) {
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}

int smelt_open_direct_writing(const char *path) {
    return open(path, O_WRONLY | O_DIRECT | O_NOFOLLOW | O_CLOEXEC);
}

int smelt_openat(int directory, const char *name, int flags, mode_t mode) {
    return openat(directory, name, flags, mode);
}

enum { SLOT_COUNT = 256, PATH_CAPACITY = 1024 };

struct mapping_slot {
    atomic_int in_use;          // 0 free, 1 being filled, 2 published
    uintptr_t base;
    size_t length;
    char path[PATH_CAPACITY];
};

static struct mapping_slot slots[SLOT_COUNT];
static int sigbus_exit_code = 74;

static void write_all(const char *text, size_t length) {
    while (length > 0) {
        ssize_t written = write(2, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void write_text(const char *text) { write_all(text, strlen(text)); }

static void write_unsigned(uint64_t value) {
    char digits[24];
    int count = 0;
    do { digits[count++] = (char)('0' + value % 10); value /= 10; } while (value != 0);
    char ordered[24];
    for (int i = 0; i < count; i++) ordered[i] = digits[count - 1 - i];
    write_all(ordered, (size_t)count);
}

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < SLOT_COUNT; i++) {
        if (atomic_load(&slots[i].in_use) != 2) continue;
        if (address < slots[i].base || address - slots[i].base >= slots[i].length) continue;
        write_text("error: ");
        write_text(slots[i].path);
        write_text(": the file changed size or could not be read while mapped (SIGBUS at byte ");
        write_unsigned(address - slots[i].base);
        write_text(" of the mapping); restore the file and run the command again\n");
        _exit(sigbus_exit_code);
    }
    // Not ours: restore the default action and let the fault happen again.
    signal(signal_number, SIG_DFL);
}

void smelt_install_sigbus_handler(int exit_code) {
    sigbus_exit_code = exit_code;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, NULL);
}

int smelt_register_mapping(const void *base, size_t length, const char *path) {
    for (int i = 0; i < SLOT_COUNT; i++) {
        int expected = 0;
        if (!atomic_compare_exchange_strong(&slots[i].in_use, &expected, 1)) continue;
        slots[i].base = (uintptr_t)base;
        slots[i].length = length;
        strncpy(slots[i].path, path, PATH_CAPACITY - 1);
        slots[i].path[PATH_CAPACITY - 1] = '\0';
        atomic_store(&slots[i].in_use, 2);
        return i;
    }
    return -1;
}

void smelt_unregister_mapping(int slot) {
    if (slot < 0 || slot >= SLOT_COUNT) return;
    atomic_store(&slots[slot].in_use, 0);
}

void smelt_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
