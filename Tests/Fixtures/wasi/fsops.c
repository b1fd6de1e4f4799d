// fsops OP PATH [PATH2]: tries one file-system operation and prints "ok"
// (with what was read, for read) or "errno=N". Used by the escape tests.
// OP: read, write (create/truncate), append (existing file), mkdir, rmdir,
// unlink, rename, stat, readlink.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int report(int result) {
    if (result == 0) printf("ok\n"); else printf("errno=%d\n", errno);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: fsops OP PATH [PATH2]\n"); return 2; }
    const char *op = argv[1], *path = argv[2];
    if (!strcmp(op, "read")) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) return report(-1);
        char buffer[256];
        ssize_t count = read(fd, buffer, sizeof buffer - 1);
        if (count < 0) return report(-1);
        buffer[count] = 0;
        printf("ok %s\n", buffer);
        return 0;
    }
    if (!strcmp(op, "write")) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return report(-1);
        return report(write(fd, "pwned", 5) == 5 ? 0 : -1);
    }
    if (!strcmp(op, "append")) {
        int fd = open(path, O_WRONLY | O_APPEND);
        if (fd < 0) return report(-1);
        return report(write(fd, "pwned", 5) == 5 ? 0 : -1);
    }
    if (!strcmp(op, "mkdir")) return report(mkdir(path, 0755));
    if (!strcmp(op, "rmdir")) return report(rmdir(path));
    if (!strcmp(op, "unlink")) return report(unlink(path));
    if (!strcmp(op, "rename") && argc == 4) return report(rename(path, argv[3]));
    if (!strcmp(op, "stat")) { struct stat s; return report(stat(path, &s)); }
    if (!strcmp(op, "readlink")) {
        char buffer[256];
        ssize_t count = readlink(path, buffer, sizeof buffer - 1);
        if (count < 0) return report(-1);
        buffer[count] = 0;
        printf("ok %s\n", buffer);
        return 0;
    }
    fprintf(stderr, "unknown op %s\n", op);
    return 2;
}
