// Uses the clocks, a short sleep and random bytes; prints what worked and
// the errno of what did not.
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct timespec real, mono1, mono2;
    if (clock_gettime(CLOCK_REALTIME, &real) != 0) {
        printf("clock errno=%d\n", errno);
    } else {
        // Any date after 2020-01-01 is plausible.
        printf("realtime %s\n", real.tv_sec > 1577836800 ? "ok" : "implausible");
        clock_gettime(CLOCK_MONOTONIC, &mono1);
        struct timespec pause = {0, 2000000};  // 2 ms
        int slept = nanosleep(&pause, NULL);
        clock_gettime(CLOCK_MONOTONIC, &mono2);
        long long elapsed = (mono2.tv_sec - mono1.tv_sec) * 1000000000LL + (mono2.tv_nsec - mono1.tv_nsec);
        printf("sleep %s\n", slept == 0 && elapsed >= 2000000 ? "ok" : "failed");
    }
    unsigned char bytes[64] = {0};
    if (getentropy(bytes, sizeof bytes) != 0) {
        printf("random errno=%d\n", errno);
    } else {
        int nonzero = 0;
        for (unsigned i = 0; i < sizeof bytes; i++) nonzero += bytes[i] != 0;
        printf("random %s\n", nonzero > 32 ? "ok" : "suspicious");
    }
    return 0;
}
