/*
 * Shared queue "jobs", registered at VM start. Requests (query string):
 *   op=enqueue&item=<text>   enqueues <text>, answers "enqueued"
 *   op=dequeue               answers the oldest item, or "empty"
 *   op=resolve_missing       answers "status=<n>" for resolving an unknown queue
 * When Tern reports the queue ready (proxy_on_queue_ready), one item is
 * dequeued and stored in shared data under "shared_queue.last_ready".
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("shared_queue")

static uint32_t jobs;

TERN_EXPORT(proxy_on_vm_start)
bool proxy_on_vm_start(uint32_t root_context_id, size_t configuration_size) {
    return proxy_register_shared_queue("jobs", 4, &jobs) == PROXY_STATUS_OK;
}

static bool op_is(const tern_bytes *query, const char *op) {
    const uint8_t *value;
    size_t size;
    return tern_query_param(query->data, query->size, "op", &value, &size) && tern_bytes_equal(value, size, op);
}

TERN_EXPORT(proxy_on_request_body)
proxy_action_t proxy_on_request_body(uint32_t context_id, size_t body_size, bool end_of_stream) {
    tern_bytes query;
    if (tern_get_request_body(&query) != PROXY_STATUS_OK) return PROXY_ACTION_PAUSE;
    if (op_is(&query, "enqueue")) {
        const uint8_t *item;
        size_t item_size;
        if (tern_query_param(query.data, query.size, "item", &item, &item_size) &&
            proxy_enqueue_shared_queue(jobs, item, item_size) == PROXY_STATUS_OK) {
            tern_append_response_body("enqueued");
        }
    } else if (op_is(&query, "dequeue")) {
        tern_bytes item = {0};
        proxy_status_t status = proxy_dequeue_shared_queue(jobs, &item.data, &item.size);
        if (status == PROXY_STATUS_OK) {
            tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, item.data, item.size);
        } else if (status == PROXY_STATUS_EMPTY) {
            tern_append_response_body("empty");
        }
        tern_bytes_free(&item);
    } else if (op_is(&query, "resolve_missing")) {
        uint32_t queue;
        proxy_status_t status = proxy_resolve_shared_queue("", 0, "no_such_queue", 13, &queue);
        char body[32];
        snprintf(body, sizeof body, "status=%u", (unsigned)status);
        tern_append_response_body(body);
    }
    tern_bytes_free(&query);
    return PROXY_ACTION_CONTINUE;
}

TERN_EXPORT(proxy_on_queue_ready)
void proxy_on_queue_ready(uint32_t root_context_id, uint32_t queue_id) {
    tern_bytes item = {0};
    if (proxy_dequeue_shared_queue(queue_id, &item.data, &item.size) != PROXY_STATUS_OK) return;
    static const char key[] = "shared_queue.last_ready";
    proxy_set_shared_data(key, sizeof key - 1, item.data, item.size, 0);
    tern_bytes_free(&item);
}
