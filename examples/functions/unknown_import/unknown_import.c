/* Imports a host function Tern does not provide: installing it must fail
 * with "unlinkable: env.proxy_foo: unknown import". */
#include "tern_proxy_wasm.h"

TERN_IMPORT(proxy_foo) proxy_status_t proxy_foo(void);

TERN_DEFINE_ALLOCATOR()

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    return proxy_foo() == PROXY_STATUS_OK ? PROXY_ACTION_CONTINUE : PROXY_ACTION_PAUSE;
}
