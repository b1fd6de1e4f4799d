// listdir DIR: prints the entries of DIR (but . and ..) sorted, with a
// trailing / for directories.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: listdir DIR\n"); return 2; }
    DIR *dir = opendir(argv[1]);
    if (!dir) { printf("opendir errno=%d\n", errno); return 1; }
    char *names[1024];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 1024) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        size_t length = strlen(entry->d_name);
        char *name = malloc(length + 2);
        memcpy(name, entry->d_name, length);
        name[length] = entry->d_type == DT_DIR ? '/' : 0;
        name[length + 1] = 0;
        names[count++] = name;
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], compare);
    for (int i = 0; i < count; i++) printf("%s\n", names[i]);
    return 0;
}
