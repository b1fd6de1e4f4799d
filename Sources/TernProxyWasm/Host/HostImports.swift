import TernEngine
import TernFormat

/// The host functions Tern provides in module `env`: the proxy-wasm
/// v0.2.1 surface that makes sense for HTTP functions, plus Layotto's
/// `proxy_get_state` and `proxy_invoke_service`. gRPC and TCP-stream
/// functions are absent: a module importing them fails to install with
/// `unlinkable: env.<name>: unknown import`.
enum HostImports {
    static let moduleName = "env"

    struct Entry {
        let name: String
        let type: FunctionType
        /// The `HostCall` method implementing it; returns normally for `OK`.
        let body: (HostCall) -> () throws(HostCallError) -> Void
    }

    private static func entry(_ name: String, _ parameterCount: Int,
                              _ body: @escaping (HostCall) -> () throws(HostCallError) -> Void) -> Entry {
        entry(name, Array(repeating: .i32, count: parameterCount), body)
    }

    private static func entry(_ name: String, _ parameters: [ValueType],
                              _ body: @escaping (HostCall) -> () throws(HostCallError) -> Void) -> Entry {
        Entry(name: name, type: FunctionType(parameters: parameters, results: [.i32]), body: body)
    }

    /// Every function, each returning a `proxy_status_t`.
    static var entries: [Entry] {
        [
            entry("proxy_log", 3, HostCall.proxyLog),
            entry("proxy_get_log_level", 1, HostCall.proxyGetLogLevel),

            entry("proxy_set_effective_context", 1, HostCall.proxySetEffectiveContext),
            entry("proxy_done", 0, HostCall.proxyDone),
            entry("proxy_set_tick_period_milliseconds", 1, HostCall.proxySetTickPeriodMilliseconds),
            entry("proxy_get_current_time_nanoseconds", 1, HostCall.proxyGetCurrentTimeNanoseconds),

            entry("proxy_get_buffer_bytes", 5, HostCall.proxyGetBufferBytes),
            entry("proxy_set_buffer_bytes", 5, HostCall.proxySetBufferBytes),
            entry("proxy_get_buffer_status", 3, HostCall.proxyGetBufferStatus),

            entry("proxy_get_header_map_value", 5, HostCall.proxyGetHeaderMapValue),
            entry("proxy_add_header_map_value", 5, HostCall.proxyAddHeaderMapValue),
            entry("proxy_replace_header_map_value", 5, HostCall.proxyReplaceHeaderMapValue),
            entry("proxy_remove_header_map_value", 3, HostCall.proxyRemoveHeaderMapValue),
            entry("proxy_get_header_map_pairs", 3, HostCall.proxyGetHeaderMapPairs),
            entry("proxy_set_header_map_pairs", 3, HostCall.proxySetHeaderMapPairs),
            entry("proxy_get_header_map_size", 2, HostCall.proxyGetHeaderMapSize),

            entry("proxy_get_property", 4, HostCall.proxyGetProperty),
            entry("proxy_set_property", 4, HostCall.proxySetProperty),

            entry("proxy_get_shared_data", 5, HostCall.proxyGetSharedData),
            entry("proxy_set_shared_data", 5, HostCall.proxySetSharedData),

            entry("proxy_register_shared_queue", 3, HostCall.proxyRegisterSharedQueue),
            entry("proxy_resolve_shared_queue", 5, HostCall.proxyResolveSharedQueue),
            entry("proxy_enqueue_shared_queue", 3, HostCall.proxyEnqueueSharedQueue),
            entry("proxy_dequeue_shared_queue", 3, HostCall.proxyDequeueSharedQueue),

            entry("proxy_define_metric", 4, HostCall.proxyDefineMetric),
            entry("proxy_increment_metric", [.i32, .i64], HostCall.proxyIncrementMetric),
            entry("proxy_record_metric", [.i32, .i64], HostCall.proxyRecordMetric),
            entry("proxy_get_metric", 2, HostCall.proxyGetMetric),

            entry("proxy_send_local_response", 8, HostCall.proxySendLocalResponse),
            entry("proxy_continue_stream", 1, HostCall.proxyContinueStream),
            entry("proxy_close_stream", 1, HostCall.proxyCloseStream),
            entry("proxy_http_call", 10, HostCall.proxyHTTPCall),
            entry("proxy_get_status", 3, HostCall.proxyGetStatus),
            entry("proxy_call_foreign_function", 6, HostCall.proxyCallForeignFunction),

            entry("proxy_get_state", 6, HostCall.proxyGetState),
            entry("proxy_invoke_service", 8, HostCall.proxyInvokeService),
        ]
    }

    /// Name -> type of every function, for checking modules at install.
    static let types: [String: FunctionType] = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.type) })

    /// Defines, in `linker`, the functions `module` imports from `env`,
    /// acting on `state`.
    static func define(in linker: Linker, for module: CompiledModule, state: HostState) {
        let imported = Set(module.imports.lazy.filter { $0.module == moduleName }.map(\.name))
        for entry in entries where imported.contains(entry.name) {
            // Weak: the store keeps these closures, and the state keeps the
            // store alive through the allocator it caches.
            linker.define(module: moduleName, name: entry.name,
                          function: HostFunction(type: entry.type) { [weak state] caller, arguments throws(Trap) in
                guard let state else { throw Trap(.host("\(entry.name): the instance was released")) }
                do throws(HostCallError) {
                    try entry.body(HostCall(state: state, caller: caller, arguments: arguments))()
                    return [.i32(ProxyStatus.ok.rawValue)]
                } catch {
                    switch error {
                    case .status(let status): return [.i32(status.rawValue)]
                    case .trap(let trap): throw trap
                    }
                }
            })
        }
    }
}
