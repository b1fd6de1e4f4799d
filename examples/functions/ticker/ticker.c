/*
 * Asks for a tick every 100 ms at VM start and counts the ticks it gets;
 * requests answer "ticks=<n>" (the count of this instance).
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("ticker")

static unsigned ticks;

TERN_EXPORT(proxy_on_vm_start)
bool proxy_on_vm_start(uint32_t root_context_id, size_t configuration_size) {
    return proxy_set_tick_period_milliseconds(100) == PROXY_STATUS_OK;
}

TERN_EXPORT(proxy_on_tick)
void proxy_on_tick(uint32_t root_context_id) {
    ticks++;
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    char body[32];
    snprintf(body, sizeof body, "ticks=%u", ticks);
    tern_append_response_body(body);
    return PROXY_ACTION_CONTINUE;
}
