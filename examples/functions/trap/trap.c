/* Traps (executes `unreachable`) on every request. */
#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_ANNOUNCE_ID("trap")

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    __builtin_trap();
}
