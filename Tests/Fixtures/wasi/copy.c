// copy SRC DST: copies a file; prints the byte count, or the failing step
// and its errno (exit status 1).
#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: copy SRC DST\n"); return 2; }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { printf("open %s errno=%d\n", argv[1], errno); return 1; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { printf("create %s errno=%d\n", argv[2], errno); return 1; }
    char buffer[4096];
    size_t total = 0, count;
    while ((count = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, count, out) != count) { printf("write errno=%d\n", errno); return 1; }
        total += count;
    }
    if (fclose(out) != 0) { printf("close errno=%d\n", errno); return 1; }
    fclose(in);
    printf("copied %zu bytes\n", total);
    return 0;
}
