/*
 * tern_proxy_wasm.h: writing Tern functions in C against the proxy-wasm ABI
 * v0.2.1 with Layotto's extensions (proxy_get_state, proxy_invoke_service,
 * the call-data buffer used by proxy_get_id).
 *
 * One header, no library. It declares:
 *   - the ABI's constants (statuses, buffer and map types, ...);
 *   - every host function Tern provides in module "env";
 *   - small static helpers (read the body, get a header, answer, call
 *     another function, ...) built on those host functions;
 *   - macros for the exports a function must or may provide.
 *
 * Build with clang for wasm32 (see sdk/c/README.md):
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -I sdk/c f.c -o f.wasm
 *
 * Memory ownership: whenever the host hands data to the guest (a buffer, a
 * header value, a state value...) it allocates it with the guest's allocator
 * (the export `malloc`, else `proxy_on_memory_allocate`). Such data belongs
 * to the function, which releases it with free() (tern_bytes_free).
 */
#ifndef TERN_PROXY_WASM_H
#define TERN_PROXY_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The allocator the host calls through TERN_DEFINE_ALLOCATOR (wasi-libc's, or
 * the function's own when built freestanding). */
void *malloc(size_t size);
void free(void *pointer);

#define TERN_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define TERN_EXPORT(name) __attribute__((export_name(#name)))

/* ---------------------------------------------------------------- types */

typedef uint32_t proxy_status_t;
enum {
    PROXY_STATUS_OK = 0,
    PROXY_STATUS_NOT_FOUND = 1,
    PROXY_STATUS_BAD_ARGUMENT = 2,
    PROXY_STATUS_SERIALIZATION_FAILURE = 3,
    PROXY_STATUS_PARSE_FAILURE = 4,
    PROXY_STATUS_INVALID_MEMORY_ACCESS = 6,
    PROXY_STATUS_EMPTY = 7,
    PROXY_STATUS_CAS_MISMATCH = 8,
    PROXY_STATUS_INTERNAL_FAILURE = 10,
    PROXY_STATUS_UNIMPLEMENTED = 12,
};

typedef uint32_t proxy_log_level_t;
enum {
    PROXY_LOG_TRACE = 0,
    PROXY_LOG_DEBUG = 1,
    PROXY_LOG_INFO = 2,
    PROXY_LOG_WARN = 3,
    PROXY_LOG_ERROR = 4,
    PROXY_LOG_CRITICAL = 5,
};

/* What proxy_on_request_* callbacks return. */
typedef uint32_t proxy_action_t;
enum {
    PROXY_ACTION_CONTINUE = 0,
    PROXY_ACTION_PAUSE = 1,
};

typedef uint32_t proxy_buffer_type_t;
enum {
    PROXY_BUFFER_HTTP_REQUEST_BODY = 0,   /* the body, or the query string when there is no body */
    PROXY_BUFFER_HTTP_RESPONSE_BODY = 1,
    PROXY_BUFFER_HTTP_CALL_RESPONSE_BODY = 4,
    PROXY_BUFFER_VM_CONFIGURATION = 6,
    PROXY_BUFFER_PLUGIN_CONFIGURATION = 7,
    PROXY_BUFFER_CALL_DATA = 8,           /* Layotto: proxy_get_id writes the function id here */
};

typedef uint32_t proxy_map_type_t;
enum {
    PROXY_MAP_HTTP_REQUEST_HEADERS = 0,
    PROXY_MAP_HTTP_REQUEST_TRAILERS = 1,
    PROXY_MAP_HTTP_RESPONSE_HEADERS = 2,
    PROXY_MAP_HTTP_RESPONSE_TRAILERS = 3,
    PROXY_MAP_HTTP_CALL_RESPONSE_HEADERS = 6,
    PROXY_MAP_HTTP_CALL_RESPONSE_TRAILERS = 7,
};

typedef uint32_t proxy_stream_type_t;
enum {
    PROXY_STREAM_HTTP_REQUEST = 0,
    PROXY_STREAM_HTTP_RESPONSE = 1,
};

typedef uint32_t proxy_metric_type_t;
enum {
    PROXY_METRIC_COUNTER = 0,
    PROXY_METRIC_GAUGE = 1,
    PROXY_METRIC_HISTOGRAM = 2,
};

/* The context id of the plugin (root) context; requests get fresh ids. */
#define TERN_ROOT_CONTEXT_ID 1u

/* --------------------------------------------------------- host functions */

/* Logging */
TERN_IMPORT(proxy_log)
proxy_status_t proxy_log(proxy_log_level_t level, const char *message, size_t message_size);
TERN_IMPORT(proxy_get_log_level)
proxy_status_t proxy_get_log_level(proxy_log_level_t *return_level);

/* Contexts and timers */
TERN_IMPORT(proxy_set_effective_context)
proxy_status_t proxy_set_effective_context(uint32_t context_id);
TERN_IMPORT(proxy_done)
proxy_status_t proxy_done(void);
TERN_IMPORT(proxy_set_tick_period_milliseconds)
proxy_status_t proxy_set_tick_period_milliseconds(uint32_t period);
TERN_IMPORT(proxy_get_current_time_nanoseconds)
proxy_status_t proxy_get_current_time_nanoseconds(uint64_t *return_time);

/* Buffers */
TERN_IMPORT(proxy_get_buffer_bytes)
proxy_status_t proxy_get_buffer_bytes(proxy_buffer_type_t type, size_t start, size_t max_size,
                                      uint8_t **return_data, size_t *return_size);
TERN_IMPORT(proxy_set_buffer_bytes)
proxy_status_t proxy_set_buffer_bytes(proxy_buffer_type_t type, size_t start, size_t size,
                                      const uint8_t *data, size_t data_size);
TERN_IMPORT(proxy_get_buffer_status)
proxy_status_t proxy_get_buffer_status(proxy_buffer_type_t type, size_t *return_size, uint32_t *return_flags);

/* Header maps (serialized as described in tern_serialize_headers) */
TERN_IMPORT(proxy_get_header_map_value)
proxy_status_t proxy_get_header_map_value(proxy_map_type_t map, const char *key, size_t key_size,
                                          char **return_value, size_t *return_value_size);
TERN_IMPORT(proxy_add_header_map_value)
proxy_status_t proxy_add_header_map_value(proxy_map_type_t map, const char *key, size_t key_size,
                                          const char *value, size_t value_size);
TERN_IMPORT(proxy_replace_header_map_value)
proxy_status_t proxy_replace_header_map_value(proxy_map_type_t map, const char *key, size_t key_size,
                                              const char *value, size_t value_size);
TERN_IMPORT(proxy_remove_header_map_value)
proxy_status_t proxy_remove_header_map_value(proxy_map_type_t map, const char *key, size_t key_size);
TERN_IMPORT(proxy_get_header_map_pairs)
proxy_status_t proxy_get_header_map_pairs(proxy_map_type_t map, uint8_t **return_data, size_t *return_size);
TERN_IMPORT(proxy_set_header_map_pairs)
proxy_status_t proxy_set_header_map_pairs(proxy_map_type_t map, const uint8_t *data, size_t size);
TERN_IMPORT(proxy_get_header_map_size)
proxy_status_t proxy_get_header_map_size(proxy_map_type_t map, size_t *return_size);

/* Properties: paths are segments separated by NUL bytes, e.g. "request\0path" */
TERN_IMPORT(proxy_get_property)
proxy_status_t proxy_get_property(const char *path, size_t path_size, uint8_t **return_value, size_t *return_size);
TERN_IMPORT(proxy_set_property)
proxy_status_t proxy_set_property(const char *path, size_t path_size, const uint8_t *value, size_t value_size);

/* Shared data (process-wide, compare-and-swap) */
TERN_IMPORT(proxy_get_shared_data)
proxy_status_t proxy_get_shared_data(const char *key, size_t key_size, uint8_t **return_value,
                                     size_t *return_size, uint32_t *return_cas);
TERN_IMPORT(proxy_set_shared_data)
proxy_status_t proxy_set_shared_data(const char *key, size_t key_size, const uint8_t *value,
                                     size_t value_size, uint32_t cas);

/* Shared queues */
TERN_IMPORT(proxy_register_shared_queue)
proxy_status_t proxy_register_shared_queue(const char *name, size_t name_size, uint32_t *return_queue_id);
TERN_IMPORT(proxy_resolve_shared_queue)
proxy_status_t proxy_resolve_shared_queue(const char *vm_id, size_t vm_id_size, const char *name,
                                          size_t name_size, uint32_t *return_queue_id);
TERN_IMPORT(proxy_enqueue_shared_queue)
proxy_status_t proxy_enqueue_shared_queue(uint32_t queue_id, const uint8_t *value, size_t value_size);
TERN_IMPORT(proxy_dequeue_shared_queue)
proxy_status_t proxy_dequeue_shared_queue(uint32_t queue_id, uint8_t **return_value, size_t *return_size);

/* Metrics */
TERN_IMPORT(proxy_define_metric)
proxy_status_t proxy_define_metric(proxy_metric_type_t type, const char *name, size_t name_size,
                                   uint32_t *return_metric_id);
TERN_IMPORT(proxy_increment_metric)
proxy_status_t proxy_increment_metric(uint32_t metric_id, int64_t delta);
TERN_IMPORT(proxy_record_metric)
proxy_status_t proxy_record_metric(uint32_t metric_id, uint64_t value);
TERN_IMPORT(proxy_get_metric)
proxy_status_t proxy_get_metric(uint32_t metric_id, uint64_t *return_value);

/* HTTP */
TERN_IMPORT(proxy_send_local_response)
proxy_status_t proxy_send_local_response(uint32_t status_code, const char *details, size_t details_size,
                                         const uint8_t *body, size_t body_size,
                                         const uint8_t *serialized_headers, size_t serialized_headers_size,
                                         int32_t grpc_status);
TERN_IMPORT(proxy_continue_stream)
proxy_status_t proxy_continue_stream(proxy_stream_type_t stream);
TERN_IMPORT(proxy_close_stream)
proxy_status_t proxy_close_stream(proxy_stream_type_t stream);
/* Upstream: another function's id, or an upstream the operator allow-listed.
 * Headers must contain ":method" and ":path". The answer arrives in
 * proxy_on_http_call_response once the current callback has returned. */
TERN_IMPORT(proxy_http_call)
proxy_status_t proxy_http_call(const char *upstream, size_t upstream_size,
                               const uint8_t *serialized_headers, size_t serialized_headers_size,
                               const uint8_t *body, size_t body_size,
                               const uint8_t *serialized_trailers, size_t serialized_trailers_size,
                               uint32_t timeout_milliseconds, uint32_t *return_call_id);
/* The HTTP status (0 when the call failed) of the response being delivered. */
TERN_IMPORT(proxy_get_status)
proxy_status_t proxy_get_status(uint32_t *return_status_code, char **return_message, size_t *return_message_size);

/* Layotto extensions */
TERN_IMPORT(proxy_get_state)
proxy_status_t proxy_get_state(const char *store, size_t store_size, const char *key, size_t key_size,
                               uint8_t **return_value, size_t *return_size);
TERN_IMPORT(proxy_invoke_service)
proxy_status_t proxy_invoke_service(const char *id, size_t id_size, const char *method, size_t method_size,
                                    const uint8_t *param, size_t param_size,
                                    uint8_t **return_result, size_t *return_size);

/* -------------------------------------------------------------- exports
 *
 * Tern calls these exports (all optional unless marked):
 *   _initialize() (reactor builds) or _start()      at load
 *   proxy_get_id()               at load: announce the function id with
 *                                TERN_ANNOUNCE_ID (Layotto's routing key)
 *   proxy_on_context_create(context_id, parent_id)  parent 0: root context
 *   proxy_on_vm_start(root_id, vm_config_size) -> bool
 *   proxy_on_configure(root_id, plugin_config_size) -> bool
 *   proxy_on_request_headers(context_id, header_count, end_of_stream) -> action
 *   proxy_on_request_body(context_id, body_size, end_of_stream) -> action
 *   proxy_on_request_trailers(context_id, trailer_count) -> action
 *   proxy_on_http_call_response(root_id, call_id, header_count, body_size, trailer_count)
 *   proxy_on_queue_ready(root_id, queue_id)
 *   proxy_on_tick(root_id)
 *   proxy_on_done(context_id) -> bool, proxy_on_log(context_id), proxy_on_delete(context_id)
 *   malloc or proxy_on_memory_allocate (required): see TERN_DEFINE_ALLOCATOR
 */

/* Defines proxy_on_memory_allocate on top of malloc. */
#define TERN_DEFINE_ALLOCATOR()                                                   \
    TERN_EXPORT(proxy_on_memory_allocate) void *proxy_on_memory_allocate(size_t size) { \
        return malloc(size);                                                      \
    }

/* Marks the module as built for proxy-wasm ABI v0.2.1. */
#define TERN_DECLARE_ABI_VERSION() \
    TERN_EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

/* Defines proxy_get_id, announcing `id` (a string literal) as the function id. */
#define TERN_ANNOUNCE_ID(id)                                                       \
    TERN_EXPORT(proxy_get_id) void proxy_get_id(void) {                           \
        proxy_set_buffer_bytes(PROXY_BUFFER_CALL_DATA, 0, 0xFFFFFFFFu,            \
                               (const uint8_t *)(id), sizeof(id) - 1);            \
    }

/* ---------------------------------------------------------------- helpers */

/* Bytes handed over by the host (or built by a helper); free with
 * tern_bytes_free. `data` is NULL when empty. */
typedef struct {
    uint8_t *data;
    size_t size;
} tern_bytes;

/* A header for tern_serialize_headers / tern_send_local_response. */
typedef struct {
    const char *name;
    const char *value;
} tern_header;

static inline void tern_bytes_free(tern_bytes *bytes) {
    free(bytes->data);
    bytes->data = NULL;
    bytes->size = 0;
}

static inline size_t tern_strlen(const char *text) {
    size_t length = 0;
    while (text[length] != '\0') length++;
    return length;
}

static inline bool tern_bytes_equal(const uint8_t *data, size_t size, const char *text) {
    size_t length = tern_strlen(text);
    if (length != size) return false;
    for (size_t i = 0; i < size; i++) {
        if (data[i] != (uint8_t)text[i]) return false;
    }
    return true;
}

static inline proxy_status_t tern_log(proxy_log_level_t level, const char *message) {
    return proxy_log(level, message, tern_strlen(message));
}

/* The whole of a buffer. */
static inline proxy_status_t tern_get_buffer(proxy_buffer_type_t type, tern_bytes *out) {
    out->data = NULL;
    out->size = 0;
    return proxy_get_buffer_bytes(type, 0, 0xFFFFFFFFu, &out->data, &out->size);
}

static inline proxy_status_t tern_get_request_body(tern_bytes *out) {
    return tern_get_buffer(PROXY_BUFFER_HTTP_REQUEST_BODY, out);
}

/* Replaces a buffer's content. */
static inline proxy_status_t tern_set_buffer(proxy_buffer_type_t type, const void *data, size_t size) {
    return proxy_set_buffer_bytes(type, 0, 0xFFFFFFFFu, (const uint8_t *)data, size);
}

/* Appends to a buffer. */
static inline proxy_status_t tern_append_buffer(proxy_buffer_type_t type, const void *data, size_t size) {
    return proxy_set_buffer_bytes(type, 0xFFFFFFFFu, 0, (const uint8_t *)data, size);
}

static inline proxy_status_t tern_set_response_body(const void *data, size_t size) {
    return tern_set_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, data, size);
}

static inline proxy_status_t tern_append_response_body(const char *text) {
    return tern_append_buffer(PROXY_BUFFER_HTTP_RESPONSE_BODY, text, tern_strlen(text));
}

/* The first value of header `name` (case-insensitive) in `map`. */
static inline proxy_status_t tern_get_header(proxy_map_type_t map, const char *name, tern_bytes *out) {
    out->data = NULL;
    out->size = 0;
    return proxy_get_header_map_value(map, name, tern_strlen(name), (char **)&out->data, &out->size);
}

static inline proxy_status_t tern_get_request_header(const char *name, tern_bytes *out) {
    return tern_get_header(PROXY_MAP_HTTP_REQUEST_HEADERS, name, out);
}

static inline proxy_status_t tern_add_header(proxy_map_type_t map, const char *name, const char *value) {
    return proxy_add_header_map_value(map, name, tern_strlen(name), value, tern_strlen(value));
}

static inline proxy_status_t tern_add_response_header(const char *name, const char *value) {
    return tern_add_header(PROXY_MAP_HTTP_RESPONSE_HEADERS, name, value);
}

/* Serializes headers the way the ABI expects: a u32 count, then a u32 key
 * length and u32 value length per pair, then each key and value followed by
 * a NUL byte (all integers little-endian, as wasm32 is). */
static inline proxy_status_t tern_serialize_headers(const tern_header *headers, size_t count, tern_bytes *out) {
    size_t size = 4;
    for (size_t i = 0; i < count; i++) {
        size += 8 + tern_strlen(headers[i].name) + 1 + tern_strlen(headers[i].value) + 1;
    }
    uint8_t *data = (uint8_t *)malloc(size);
    if (data == NULL) return PROXY_STATUS_INTERNAL_FAILURE;
    uint32_t *lengths = (uint32_t *)data;
    lengths[0] = (uint32_t)count;
    uint8_t *text = data + 4 + 8 * count;
    for (size_t i = 0; i < count; i++) {
        size_t name_length = tern_strlen(headers[i].name);
        size_t value_length = tern_strlen(headers[i].value);
        lengths[1 + 2 * i] = (uint32_t)name_length;
        lengths[2 + 2 * i] = (uint32_t)value_length;
        for (size_t j = 0; j < name_length; j++) *text++ = (uint8_t)headers[i].name[j];
        *text++ = 0;
        for (size_t j = 0; j < value_length; j++) *text++ = (uint8_t)headers[i].value[j];
        *text++ = 0;
    }
    out->data = data;
    out->size = size;
    return PROXY_STATUS_OK;
}

/* Number of pairs in a serialized header map. */
static inline uint32_t tern_headers_count(const tern_bytes *serialized) {
    if (serialized->size < 4) return 0;
    return ((const uint32_t *)serialized->data)[0];
}

/* Pair `index` of a serialized header map (pointers into `serialized`);
 * false when out of range or malformed. */
static inline bool tern_headers_pair(const tern_bytes *serialized, uint32_t index, const char **name,
                                     size_t *name_size, const char **value, size_t *value_size) {
    uint32_t count = tern_headers_count(serialized);
    if (index >= count || serialized->size < 4 + 8 * (size_t)count) return false;
    const uint32_t *lengths = (const uint32_t *)(serialized->data + 4);
    size_t offset = 4 + 8 * (size_t)count;
    for (uint32_t i = 0; i <= index; i++) {
        size_t pair_size = (size_t)lengths[2 * i] + 1 + (size_t)lengths[2 * i + 1] + 1;
        if (offset + pair_size > serialized->size) return false;
        if (i == index) {
            *name = (const char *)serialized->data + offset;
            *name_size = lengths[2 * i];
            *value = (const char *)serialized->data + offset + lengths[2 * i] + 1;
            *value_size = lengths[2 * i + 1];
            return true;
        }
        offset += pair_size;
    }
    return false;
}

/* Answers the request with `status`, `headers` and `body` (Tern honours the
 * status; Layotto ignores it). Return PROXY_ACTION_PAUSE afterwards. */
static inline proxy_status_t tern_send_local_response(uint32_t status, const tern_header *headers, size_t count,
                                                      const void *body, size_t body_size) {
    tern_bytes serialized;
    proxy_status_t result = tern_serialize_headers(headers, count, &serialized);
    if (result != PROXY_STATUS_OK) return result;
    result = proxy_send_local_response(status, NULL, 0, (const uint8_t *)body, body_size, serialized.data,
                                       serialized.size, -1);
    tern_bytes_free(&serialized);
    return result;
}

/* Layotto: reads `key` from state store `store`; a missing key is OK with an
 * empty value. */
static inline proxy_status_t tern_get_state(const char *store, const char *key, size_t key_size, tern_bytes *out) {
    out->data = NULL;
    out->size = 0;
    return proxy_get_state(store, tern_strlen(store), key, key_size, &out->data, &out->size);
}

/* Layotto: calls function `id` with `param` as its request body and returns
 * its response body. */
static inline proxy_status_t tern_invoke_service(const char *id, const char *method, const void *param,
                                                 size_t param_size, tern_bytes *out) {
    out->data = NULL;
    out->size = 0;
    return proxy_invoke_service(id, tern_strlen(id), method, tern_strlen(method), (const uint8_t *)param,
                                param_size, &out->data, &out->size);
}

/* Finds `name` in an application/x-www-form-urlencoded query (no decoding):
 * on success `*value` points into `query`. */
static inline bool tern_query_param(const uint8_t *query, size_t size, const char *name, const uint8_t **value,
                                    size_t *value_size) {
    size_t name_length = tern_strlen(name);
    size_t start = 0;
    while (start <= size) {
        size_t end = start;
        while (end < size && query[end] != '&') end++;
        if (end - start > name_length && query[start + name_length] == '=' &&
            tern_bytes_equal(query + start, name_length, name)) {
            *value = query + start + name_length + 1;
            *value_size = end - start - name_length - 1;
            return true;
        }
        start = end + 1;
    }
    return false;
}

#ifdef __cplusplus
}
#endif

#endif /* TERN_PROXY_WASM_H */
