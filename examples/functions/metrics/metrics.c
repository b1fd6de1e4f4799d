/*
 * Defines a counter, a gauge and a histogram at VM start; each request
 * increments the counter, moves the gauge by +5 then -2, records 42 in the
 * histogram, and answers
 *   "requests=<counter> gauge=<gauge> negative=<status> histogram=<status>"
 * where negative is the status of decrementing the counter (refused) and
 * histogram the status of reading the histogram (not readable).
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("metrics")

static uint32_t requests, inflight, latency;

TERN_EXPORT(proxy_on_vm_start)
bool proxy_on_vm_start(uint32_t root_context_id, size_t configuration_size) {
    return proxy_define_metric(PROXY_METRIC_COUNTER, "requests", 8, &requests) == PROXY_STATUS_OK &&
           proxy_define_metric(PROXY_METRIC_GAUGE, "inflight", 8, &inflight) == PROXY_STATUS_OK &&
           proxy_define_metric(PROXY_METRIC_HISTOGRAM, "latency", 7, &latency) == PROXY_STATUS_OK;
}

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    proxy_increment_metric(requests, 1);
    proxy_increment_metric(inflight, 5);
    proxy_increment_metric(inflight, -2);
    proxy_record_metric(latency, 42);
    proxy_status_t negative = proxy_increment_metric(requests, -1);
    uint64_t request_count = 0, gauge = 0, histogram_value = 0;
    proxy_get_metric(requests, &request_count);
    proxy_get_metric(inflight, &gauge);
    proxy_status_t histogram = proxy_get_metric(latency, &histogram_value);
    char body[128];
    snprintf(body, sizeof body, "requests=%llu gauge=%lld negative=%u histogram=%u",
             (unsigned long long)request_count, (long long)gauge, (unsigned)negative, (unsigned)histogram);
    tern_append_response_body(body);
    return PROXY_ACTION_CONTINUE;
}
