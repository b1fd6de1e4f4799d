// Linux interfaces that Swift's Glibc module does not export: epoll(7) and
// eventfd(2) headers, plus wrappers for two GNU extensions that Glibc only
// declares under _GNU_SOURCE. Everything else TernHTTP takes from Glibc.
#ifndef CTERN_SYSTEM_H
#define CTERN_SYSTEM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(2) without the peer address.
int ctern_accept4(int fd, int flags);

/// pthread_setname_np(3) for the calling thread (name truncated to 15 bytes).
void ctern_set_current_thread_name(const char *name);

#endif
