/*
 * Layotto FaaS demo, function 1 (route id "id_1"): reads the book name from
 * the query (`name=book1`, delivered as the request body buffer when the
 * request has no body), asks function "id_2" for its inventory through
 * proxy_invoke_service and answers "There are <n> inventories for <name>."
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("id_1")

TERN_EXPORT(proxy_on_request_body)
proxy_action_t proxy_on_request_body(uint32_t context_id, size_t body_size, bool end_of_stream) {
    tern_bytes body;
    if (tern_get_request_body(&body) != PROXY_STATUS_OK) {
        tern_log(PROXY_LOG_ERROR, "GetHttpRequestBody failed");
        return PROXY_ACTION_PAUSE;
    }
    const uint8_t *name;
    size_t name_size;
    if (!tern_query_param(body.data, body.size, "name", &name, &name_size)) {
        tern_log(PROXY_LOG_ERROR, "param not found: name");
        tern_bytes_free(&body);
        return PROXY_ACTION_PAUSE;
    }
    tern_bytes inventories;
    proxy_status_t status = tern_invoke_service("id_2", "", name, name_size, &inventories);
    if (status != PROXY_STATUS_OK) {
        tern_log(PROXY_LOG_ERROR, "invoke service failed");
        tern_bytes_free(&body);
        return PROXY_ACTION_PAUSE;
    }
    tern_append_response_body("There are ");
    tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, inventories.data, inventories.size);
    tern_append_response_body(" inventories for ");
    tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, name, name_size);
    tern_append_response_body(".");
    tern_bytes_free(&inventories);
    tern_bytes_free(&body);
    return PROXY_ACTION_CONTINUE;
}

TERN_EXPORT(proxy_on_log)
void proxy_on_log(uint32_t context_id) {
    char message[32];
    snprintf(message, sizeof message, "%u finished", (unsigned)context_id);
    tern_log(PROXY_LOG_INFO, message);
}
