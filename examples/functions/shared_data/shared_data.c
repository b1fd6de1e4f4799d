/*
 * A process-wide request counter in shared data, updated with
 * compare-and-swap: read (value, cas), write value+1 with that cas, retry on
 * CAS_MISMATCH. Then shows a cas going stale once used: rewrites the value
 * with its cas, and tries again with that same cas. Answers
 * "count=<n> stale=<status of the second write>" (CAS_MISMATCH, 8).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("shared_data")

static const char key[] = "shared_data.count";

static unsigned long parse_count(const tern_bytes *value) {
    char text[24] = {0};
    for (size_t i = 0; i < value->size && i < sizeof text - 1; i++) text[i] = (char)value->data[i];
    return strtoul(text, NULL, 10);
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    unsigned long count;
    for (;;) {
        tern_bytes value = {0};
        uint32_t cas = 0;
        proxy_status_t status = proxy_get_shared_data(key, sizeof key - 1, &value.data, &value.size, &cas);
        count = status == PROXY_STATUS_OK ? parse_count(&value) + 1 : 1;
        tern_bytes_free(&value);
        char text[24];
        int length = snprintf(text, sizeof text, "%lu", count);
        status = proxy_set_shared_data(key, sizeof key - 1, (const uint8_t *)text, (size_t)length, cas);
        if (status == PROXY_STATUS_OK) break;
        if (status != PROXY_STATUS_CAS_MISMATCH) return PROXY_ACTION_PAUSE;
    }
    tern_bytes value = {0};
    uint32_t cas = 0;
    proxy_get_shared_data(key, sizeof key - 1, &value.data, &value.size, &cas);
    proxy_set_shared_data(key, sizeof key - 1, value.data, value.size, cas);
    proxy_status_t stale = proxy_set_shared_data(key, sizeof key - 1, value.data, value.size, cas);
    tern_bytes_free(&value);
    char body[64];
    snprintf(body, sizeof body, "count=%lu stale=%u", count, (unsigned)stale);
    tern_append_response_body(body);
    return PROXY_ACTION_CONTINUE;
}
