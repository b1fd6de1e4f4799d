// Exits with status 3 through proc_exit, after some output.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exiting with 3\n");
    exit(3);
}
