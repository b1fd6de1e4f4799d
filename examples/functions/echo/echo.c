/*
 * Echoes the request: the body back as the response body, and the method,
 * path and x-echo-input header as response headers x-echo-method,
 * x-echo-path, x-echo-input.
 */
#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("echo")

static void echo_header(const char *request_name, const char *response_name) {
    tern_bytes value;
    if (tern_get_request_header(request_name, &value) != PROXY_STATUS_OK) return;
    proxy_add_header_map_value(PROXY_MAP_HTTP_RESPONSE_HEADERS, response_name, tern_strlen(response_name),
                               (const char *)value.data, value.size);
    tern_bytes_free(&value);
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    echo_header(":method", "x-echo-method");
    echo_header(":path", "x-echo-path");
    echo_header("x-echo-input", "x-echo-input");
    return PROXY_ACTION_CONTINUE;
}

TERN_EXPORT(proxy_on_request_body)
proxy_action_t proxy_on_request_body(uint32_t context_id, size_t body_size, bool end_of_stream) {
    tern_bytes body;
    if (tern_get_request_body(&body) != PROXY_STATUS_OK) return PROXY_ACTION_PAUSE;
    tern_set_response_body(body.data, body.size);
    tern_bytes_free(&body);
    return PROXY_ACTION_CONTINUE;
}
