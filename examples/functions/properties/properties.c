/*
 * Reads properties and configuration, and logs through both proxy_log and
 * WASI stdout. Answers one "name=value" line per item:
 *   path, url_path, method, query, header (request.headers.x-prop),
 *   function_id, plugin_name, custom (a property it set itself),
 *   missing (status of an unknown property), plugin_config (the plugin
 *   configuration buffer, read at configure time), time (ok when
 *   proxy_get_current_time_nanoseconds answers a plausible time),
 *   log_level (proxy_get_log_level).
 */
#include <stdio.h>

#include "tern_proxy_wasm.h"

TERN_DEFINE_ALLOCATOR()
TERN_DECLARE_ABI_VERSION()
TERN_ANNOUNCE_ID("properties")

static char plugin_config[64];

TERN_EXPORT(proxy_on_configure)
bool proxy_on_configure(uint32_t root_context_id, size_t configuration_size) {
    tern_bytes configuration = {0};
    tern_get_buffer(PROXY_BUFFER_PLUGIN_CONFIGURATION, &configuration);
    size_t i = 0;
    for (; i < configuration.size && i < sizeof plugin_config - 1; i++) plugin_config[i] = (char)configuration.data[i];
    plugin_config[i] = '\0';
    tern_bytes_free(&configuration);
    return true;
}

static void append_property(const char *label, const char *path, size_t path_size) {
    tern_bytes value = {0};
    proxy_status_t status = proxy_get_property(path, path_size, &value.data, &value.size);
    tern_append_response_body(label);
    tern_append_response_body("=");
    if (status == PROXY_STATUS_OK) {
        tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, value.data, value.size);
    } else {
        char text[24];
        snprintf(text, sizeof text, "status %u", (unsigned)status);
        tern_append_response_body(text);
    }
    tern_append_response_body("\n");
    tern_bytes_free(&value);
}

#define PROPERTY(label, path) append_property(label, path, sizeof(path) - 1)

TERN_EXPORT(proxy_on_request_headers)
proxy_action_t proxy_on_request_headers(uint32_t context_id, size_t header_count, bool end_of_stream) {
    PROPERTY("path", "request\0path");
    PROPERTY("url_path", "request\0url_path");
    PROPERTY("method", "request\0method");
    PROPERTY("query", "request\0query");
    PROPERTY("header", "request\0headers\0x-prop");
    PROPERTY("function_id", "function_id");
    PROPERTY("plugin_name", "plugin_name");
    static const char custom[] = "custom\0note";
    proxy_set_property(custom, sizeof custom - 1, (const uint8_t *)"set by guest", 12);
    PROPERTY("custom", "custom\0note");
    PROPERTY("missing", "no\0such\0property");

    tern_append_response_body("plugin_config=");
    tern_append_response_body(plugin_config);
    tern_append_response_body("\n");

    uint64_t now = 0;
    proxy_get_current_time_nanoseconds(&now);
    /* After 2020-01-01 in nanoseconds. */
    tern_append_response_body(now > 1577836800000000000ull ? "time=ok\n" : "time=wrong\n");

    proxy_log_level_t level = 0;
    proxy_get_log_level(&level);
    char text[24];
    snprintf(text, sizeof text, "log_level=%u\n", (unsigned)level);
    tern_append_response_body(text);

    tern_log(PROXY_LOG_WARN, "properties: proxy_log");
    printf("properties: stdout\n");
    fflush(stdout);
    return PROXY_ACTION_CONTINUE;
}
