/*
 * Layotto FaaS demo, function 2 (route id "id_2"): the request body is a
 * book name; answers the value stored under it in state store "state_demo"
 * (empty when the key is missing).
 */
#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("id_2")

TERN_EXPORT(proxy_on_request_body)
proxy_action_t proxy_on_request_body(uint32_t context_id, size_t body_size, bool end_of_stream) {
    tern_bytes book_name;
    if (tern_get_request_body(&book_name) != PROXY_STATUS_OK) {
        tern_log(PROXY_LOG_ERROR, "GetHttpRequestBody failed");
        return PROXY_ACTION_PAUSE;
    }
    tern_bytes inventories;
    if (tern_get_state("state_demo", (const char *)book_name.data, book_name.size, &inventories) != PROXY_STATUS_OK) {
        tern_log(PROXY_LOG_ERROR, "GetState failed");
        tern_bytes_free(&book_name);
        return PROXY_ACTION_PAUSE;
    }
    tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, inventories.data, inventories.size);
    tern_bytes_free(&inventories);
    tern_bytes_free(&book_name);
    return PROXY_ACTION_CONTINUE;
}
