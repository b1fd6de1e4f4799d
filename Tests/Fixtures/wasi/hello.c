// Prints a greeting on stdout and a note on stderr.
#include <stdio.h>

int main(void) {
    printf("hello, world\n");
    fprintf(stderr, "to stderr\n");
    return 0;
}
