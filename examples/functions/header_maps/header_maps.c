/*
 * Exercises the header-map host functions on every map a request has.
 * Request headers: reads x-input, adds x-added, replaces x-replace, removes
 * x-remove, then lists all pairs (proxy_get_header_map_pairs) in the
 * response body, one "name: value" per line, after a "size=<n>" line
 * (proxy_get_header_map_size).
 * Response headers: x-echo (x-input's value), x-multi twice, x-single via
 * replace, x-gone added then removed. Response trailers: replaced wholesale
 * with proxy_set_header_map_pairs. Request trailers: x-checksum is echoed
 * as response header x-trailer-seen.
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("header_maps")

static const proxy_map_type_t request = PROXY_MAP_HTTP_REQUEST_HEADERS;
static const proxy_map_type_t response = PROXY_MAP_HTTP_RESPONSE_HEADERS;

static void append_request_headers(void) {
    size_t size = 0;
    proxy_get_header_map_size(request, &size);
    char line[64];
    snprintf(line, sizeof line, "size=%zu\n", size);
    tern_append_response_body(line);

    tern_bytes pairs = {0};
    if (proxy_get_header_map_pairs(request, &pairs.data, &pairs.size) != PROXY_STATUS_OK) return;
    for (uint32_t i = 0; i < tern_headers_count(&pairs); i++) {
        const char *name, *value;
        size_t name_size, value_size;
        if (!tern_headers_pair(&pairs, i, &name, &name_size, &value, &value_size)) break;
        tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, name, name_size);
        tern_append_response_body(": ");
        tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, value, value_size);
        tern_append_response_body("\n");
    }
    tern_bytes_free(&pairs);
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    tern_bytes input;
    if (tern_get_request_header("X-Input", &input) == PROXY_STATUS_OK) {
        proxy_replace_header_map_value(response, "x-echo", 6, (const char *)input.data, input.size);
        tern_bytes_free(&input);
    }
    tern_add_header(request, "x-added", "1");
    proxy_replace_header_map_value(request, "x-replace", 9, "new", 3);
    proxy_remove_header_map_value(request, "x-remove", 8);
    append_request_headers();

    tern_add_header(response, "x-multi", "a");
    tern_add_header(response, "x-multi", "b");
    proxy_replace_header_map_value(response, "x-single", 8, "one", 3);
    tern_add_header(response, "x-gone", "1");
    proxy_remove_header_map_value(response, "x-gone", 6);

    const tern_header trailers[] = {{"x-response-trailer", "done"}};
    tern_bytes serialized;
    if (tern_serialize_headers(trailers, 1, &serialized) == PROXY_STATUS_OK) {
        proxy_set_header_map_pairs(PROXY_MAP_HTTP_RESPONSE_TRAILERS, serialized.data, serialized.size);
        tern_bytes_free(&serialized);
    }
    return PROXY_ACTION_CONTINUE;
}

TERN_EXPORT(proxy_on_request_trailers)
proxy_action_t proxy_on_request_trailers(uint32_t context_id, size_t trailer_count) {
    tern_bytes checksum;
    if (tern_get_header(PROXY_MAP_HTTP_REQUEST_TRAILERS, "x-checksum", &checksum) == PROXY_STATUS_OK) {
        proxy_add_header_map_value(response, "x-trailer-seen", 14, (const char *)checksum.data, checksum.size);
        tern_bytes_free(&checksum);
    }
    return PROXY_ACTION_CONTINUE;
}
