/// Properties: values named by a path of segments, encoded by the SDKs as
/// the segments separated by NUL bytes (the Go SDK: `request\0path`; the
/// Rust SDK ends every segment with NUL, so a trailing NUL is ignored).
///
/// Provided (read-only):
/// - `function_id`, and Envoy's `plugin_name`, `plugin_root_id`,
///   `plugin_vm_id`: the function id;
/// - in a request's context: `request.path` (with the query),
///   `request.url_path`, `request.query`, `request.method`, `request.host`,
///   `request.headers.<name>`, `response.headers.<name>` (current values).
/// Any other path can be set with `proxy_set_property` and read back: in a
/// request's context for the rest of that request, else for the instance.
extension HostCall {
    func proxyGetProperty() throws(HostCallError) {
        let path = HostState.propertyPath(try bytes(at: 0))
        try checkReturnSlots(2, 3)
        guard let value = state.property(path) else { throw .status(.notFound) }
        try returnBytes(value, toPointersIn: 2)
    }

    func proxySetProperty() throws(HostCallError) {
        let path = HostState.propertyPath(try bytes(at: 0))
        let value = try bytes(at: 2)
        guard let root = path.first, !HostState.builtInPropertyRoots.contains(root) else {
            throw .status(.badArgument)
        }
        try state.checkSize(value.count)
        if state.stream?.contextID == state.effectiveContextID {
            try state.modifyStream { $0.properties[path] = value }
        } else {
            state.rootProperties[path] = value
        }
    }
}

extension HostState {
    static let functionIDProperties: Set<String> = ["function_id", "plugin_name", "plugin_root_id", "plugin_vm_id"]
    static let builtInPropertyRoots = functionIDProperties.union(["request", "response"])

    static func propertyPath(_ bytes: [UInt8]) -> [String] {
        var segments = bytes.split(separator: 0, omittingEmptySubsequences: false)
        if segments.last?.isEmpty == true { segments.removeLast() }
        return segments.map { String(decoding: $0, as: UTF8.self) }
    }

    func property(_ path: [String]) -> [UInt8]? {
        if path.count == 1, HostState.functionIDProperties.contains(path[0]) { return Array(functionID.utf8) }
        guard let stream, stream.contextID == effectiveContextID else { return rootProperties[path] }
        if let value = HostState.requestProperty(path, of: stream) { return Array(value.utf8) }
        return stream.properties[path] ?? rootProperties[path]
    }

    private static func requestProperty(_ path: [String], of stream: StreamState) -> String? {
        let request = stream.request
        switch path.first {
        case "request":
            switch path.dropFirst().first {
            case "path": return path.count == 2 ? request.target : nil
            case "url_path": return path.count == 2 ? request.path : nil
            case "query": return path.count == 2 ? request.query : nil
            case "method": return path.count == 2 ? request.method : nil
            case "host": return path.count == 2 ? stream.requestHeaders.value(for: ":authority") : nil
            case "headers": return path.count == 3 ? stream.requestHeaders.value(for: path[2]) : nil
            default: return nil
            }
        case "response":
            return path.count == 3 && path[1] == "headers" ? stream.responseHeaders.value(for: path[2]) : nil
        default:
            return nil
        }
    }
}
