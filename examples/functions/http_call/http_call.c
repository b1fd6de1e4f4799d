/*
 * Calls another function with proxy_http_call and answers with what came
 * back. The upstream is the query parameter `to` (default "echo"); the call
 * is POST /echo?from=http_call with body "ping" and header x-echo-input.
 * The request pauses until proxy_on_http_call_response, which answers
 *   "status=<code> path=<x-echo-path> body=<body>"   (or "failed")
 * and resumes the request. A call the host refuses is answered 502.
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("http_call")

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    static const char query_path[] = "request\0query";
    tern_bytes query = {0};
    proxy_get_property(query_path, sizeof query_path - 1, &query.data, &query.size);
    const uint8_t *upstream = (const uint8_t *)"echo";
    size_t upstream_size = 4;
    tern_query_param(query.data, query.size, "to", &upstream, &upstream_size);

    const tern_header headers[] = {
        {":method", "POST"},
        {":path", "/echo?from=http_call"},
        {":authority", "functions"},
        {"x-echo-input", "from-http-call"},
    };
    tern_bytes serialized;
    if (tern_serialize_headers(headers, 4, &serialized) != PROXY_STATUS_OK) return PROXY_ACTION_PAUSE;
    uint32_t call_id = 0;
    proxy_status_t status = proxy_http_call((const char *)upstream, upstream_size, serialized.data, serialized.size,
                                            (const uint8_t *)"ping", 4, NULL, 0, 1000, &call_id);
    tern_bytes_free(&serialized);
    tern_bytes_free(&query);
    if (status != PROXY_STATUS_OK) {
        char body[48];
        int length = snprintf(body, sizeof body, "dispatch failed: %u", (unsigned)status);
        tern_send_local_response(502, NULL, 0, body, (size_t)length);
    }
    return PROXY_ACTION_PAUSE;
}

TERN_EXPORT(proxy_on_http_call_response)
void proxy_on_http_call_response(uint32_t root_context_id, uint32_t call_id, size_t header_count, size_t body_size,
                                 size_t trailer_count) {
    if (header_count == 0) {
        tern_append_response_body("failed");
    } else {
        uint32_t code = 0;
        tern_bytes message = {0};
        proxy_get_status(&code, (char **)&message.data, &message.size);
        tern_bytes_free(&message);
        tern_bytes path = {0};
        tern_get_header(PROXY_MAP_HTTP_CALL_RESPONSE_HEADERS, "x-echo-path", &path);
        tern_bytes body = {0};
        tern_get_buffer(PROXY_BUFFER_HTTP_CALL_RESPONSE_BODY, &body);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "status=%u path=", (unsigned)code);
        tern_append_response_body(prefix);
        tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, path.data, path.size);
        tern_append_response_body(" body=");
        tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, body.data, body.size);
        tern_bytes_free(&path);
        tern_bytes_free(&body);
    }
    proxy_continue_stream(PROXY_STREAM_HTTP_REQUEST);
}
