/*
 * Answers with proxy_send_local_response: status from the query parameter
 * `status` (default 201), two headers, and a short body. With the query
 * parameter `close`, resets the request with proxy_close_stream instead.
 */
#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("local_response")

static uint32_t parse_status(const uint8_t *digits, size_t size) {
    uint32_t status = 0;
    for (size_t i = 0; i < size && i < 3; i++) {
        if (digits[i] < '0' || digits[i] > '9') return 0;
        status = status * 10 + (digits[i] - '0');
    }
    return status;
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    static const char query_path[] = "request\0query";
    tern_bytes query = {0};
    proxy_get_property(query_path, sizeof query_path - 1, &query.data, &query.size);
    uint32_t status = 201;
    const uint8_t *value;
    size_t value_size;
    if (tern_query_param(query.data, query.size, "close", &value, &value_size)) {
        tern_bytes_free(&query);
        proxy_close_stream(PROXY_STREAM_HTTP_REQUEST);
        return PROXY_ACTION_PAUSE;
    }
    if (tern_query_param(query.data, query.size, "status", &value, &value_size)) {
        status = parse_status(value, value_size);
    }
    tern_bytes_free(&query);
    const tern_header headers[] = {
        {"content-type", "text/plain"},
        {"x-tern-example", "local_response"},
    };
    static const char body[] = "made locally\n";
    proxy_status_t result = tern_send_local_response(status, headers, 2, body, sizeof body - 1);
    if (result != PROXY_STATUS_OK) {
        tern_append_response_body("send_local_response refused the status\n");
        return PROXY_ACTION_CONTINUE;
    }
    return PROXY_ACTION_PAUSE;
}
