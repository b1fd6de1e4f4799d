/*
 * Invokes itself (route id "chain") through proxy_invoke_service.
 *   body "n=<k>"  counts down: answers "chain(k) <- " + the answer for k-1,
 *                 and "end" at 0
 *   body "cycle"  invokes itself with "cycle" forever: Tern's invocation
 *                 depth limit must stop it with a clear error
 */
#include <stdio.h>
#include <stdlib.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("chain")

static void answer_with_invocation(const char *param, size_t param_size, const char *prefix) {
    tern_bytes inner;
    proxy_status_t status = tern_invoke_service("chain", "", param, param_size, &inner);
    if (status != PROXY_STATUS_OK) {
        char body[48];
        snprintf(body, sizeof body, "invoke failed: %u", (unsigned)status);
        tern_append_response_body(body);
        return;
    }
    tern_append_response_body(prefix);
    tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, inner.data, inner.size);
    tern_bytes_free(&inner);
}

TERN_EXPORT(proxy_on_request_body)
proxy_action_t proxy_on_request_body(uint32_t context_id, size_t body_size, bool end_of_stream) {
    tern_bytes body;
    if (tern_get_request_body(&body) != PROXY_STATUS_OK) return PROXY_ACTION_PAUSE;
    const uint8_t *value;
    size_t value_size;
    if (tern_bytes_equal(body.data, body.size, "cycle")) {
        answer_with_invocation("cycle", 5, "cycle <- ");
    } else if (tern_query_param(body.data, body.size, "n", &value, &value_size)) {
        char digits[12] = {0};
        for (size_t i = 0; i < value_size && i < sizeof digits - 1; i++) digits[i] = (char)value[i];
        long remaining = strtol(digits, NULL, 10);
        if (remaining <= 0) {
            tern_append_response_body("end");
        } else {
            char param[24], prefix[24];
            int length = snprintf(param, sizeof param, "n=%ld", remaining - 1);
            snprintf(prefix, sizeof prefix, "chain(%ld) <- ", remaining);
            answer_with_invocation(param, (size_t)length, prefix);
        }
    }
    tern_bytes_free(&body);
    return PROXY_ACTION_CONTINUE;
}
