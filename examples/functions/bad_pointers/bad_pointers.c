/*
 * Hands the host invalid pointers, sizes and enum values, and answers one
 * "name=status" line per call: the host must answer with a status
 * (INVALID_MEMORY_ACCESS = 6, BAD_ARGUMENT = 2, ...) and stay up.
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("bad_pointers")

/* Past the end of any memory this module can have. */
#define OUT_OF_BOUNDS ((void *)0xFFFFFF00u)

static void report(const char *name, proxy_status_t status) {
    char line[64];
    snprintf(line, sizeof line, "%s=%u\n", name, (unsigned)status);
    tern_append_response_body(line);
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    uint8_t *data;
    size_t size;
    static const uint8_t garbage[] = {0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3};

    report("log_message", proxy_log(PROXY_LOG_INFO, OUT_OF_BOUNDS, 16));
    report("log_size", proxy_log(PROXY_LOG_INFO, "x", 0xFFFFFFFFu));
    report("log_level", proxy_log(99, "x", 1));
    report("body_return", proxy_get_buffer_bytes(PROXY_BUFFER_HTTP_REQUEST_BODY, 0, 4, OUT_OF_BOUNDS, &size));
    report("body_start", proxy_get_buffer_bytes(PROXY_BUFFER_HTTP_REQUEST_BODY, 100000, 4, &data, &size));
    report("buffer_type", proxy_get_buffer_bytes(42, 0, 4, &data, &size));
    report("set_body_data", proxy_set_buffer_bytes(PROXY_BUFFER_HTTP_RESPONSE_BODY, 0, 0, OUT_OF_BOUNDS, 8));
    report("header_return", proxy_get_header_map_value(PROXY_MAP_HTTP_REQUEST_HEADERS, ":path", 5, OUT_OF_BOUNDS,
                                                       OUT_OF_BOUNDS));
    report("map_type", proxy_get_header_map_pairs(99, &data, &size));
    report("pairs_garbage", proxy_set_header_map_pairs(PROXY_MAP_HTTP_REQUEST_HEADERS, garbage, sizeof garbage));
    report("effective_context", proxy_set_effective_context(12345));
    report("time_return", proxy_get_current_time_nanoseconds(OUT_OF_BOUNDS));
    report("status_outside_call", proxy_get_status(OUT_OF_BOUNDS, (char **)&data, &size));
    report("local_response_status", proxy_send_local_response(42, NULL, 0, NULL, 0, NULL, 0, -1));
    return PROXY_ACTION_CONTINUE;
}
