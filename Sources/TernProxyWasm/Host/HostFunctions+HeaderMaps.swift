/// The header-map functions: one implementation serves request and
/// response headers and trailers, and an HTTP call's response fields.
extension HostCall {
    func proxyGetHeaderMapValue() throws(HostCallError) {
        let key = try string(at: 1)
        try checkReturnSlots(3, 4)
        guard let value = try state.headerMap(u32(0)).value(for: key) else { throw .status(.notFound) }
        try returnBytes(Array(value.utf8), toPointersIn: 3)
    }

    func proxyAddHeaderMapValue() throws(HostCallError) {
        let key = try string(at: 1), value = try string(at: 3)
        try state.modifyHeaderMap(u32(0)) { $0.add(key, value) }
    }

    func proxyReplaceHeaderMapValue() throws(HostCallError) {
        let key = try string(at: 1), value = try string(at: 3)
        try state.modifyHeaderMap(u32(0)) { $0.replace(key, value) }
    }

    func proxyRemoveHeaderMapValue() throws(HostCallError) {
        let key = try string(at: 1)
        try state.modifyHeaderMap(u32(0)) { $0.remove(key) }
    }

    func proxyGetHeaderMapPairs() throws(HostCallError) {
        try returnBytes(try state.headerMap(u32(0)).serialized, toPointersIn: 1)
    }

    func proxySetHeaderMapPairs() throws(HostCallError) {
        guard let fields = HeaderFields(serialized: try bytes(at: 1)) else { throw .status(.badArgument) }
        try state.modifyHeaderMap(u32(0)) { $0 = fields }
    }

    func proxyGetHeaderMapSize() throws(HostCallError) {
        try store(UInt32(clamping: try state.headerMap(u32(0)).serializedSize), atPointerIn: 1)
    }
}

extension HostState {
    private enum HeaderMapLocation {
        case stream(WritableKeyPath<StreamState, HeaderFields>)
        case httpCallResponse(KeyPath<CompletedHTTPCall, HeaderFields>)
    }

    /// Unknown types are `BAD_ARGUMENT`; gRPC metadata, or a map whose
    /// context is not the effective one, is `NOT_FOUND`.
    private func headerMapLocation(_ rawType: UInt32) throws(HostCallError) -> HeaderMapLocation {
        guard let type = MapType(rawValue: rawType) else { throw .status(.badArgument) }
        switch type {
        case .httpRequestHeaders: return .stream(\.requestHeaders)
        case .httpRequestTrailers: return .stream(\.requestTrailers)
        case .httpResponseHeaders: return .stream(\.responseHeaders)
        case .httpResponseTrailers: return .stream(\.responseTrailers)
        case .httpCallResponseHeaders: return .httpCallResponse(\.headers)
        case .httpCallResponseTrailers: return .httpCallResponse(\.trailers)
        case .grpcReceiveInitialMetadata, .grpcReceiveTrailingMetadata: throw .status(.notFound)
        }
    }

    func headerMap(_ rawType: UInt32) throws(HostCallError) -> HeaderFields {
        switch try headerMapLocation(rawType) {
        case .stream(let path): return try readStream { $0[keyPath: path] }
        case .httpCallResponse(let path):
            guard let deliveredHTTPCall else { throw .status(.notFound) }
            return deliveredHTTPCall[keyPath: path]
        }
    }

    /// An HTTP call's response fields are read-only.
    func modifyHeaderMap(_ rawType: UInt32, _ change: (inout HeaderFields) -> Void) throws(HostCallError) {
        guard case .stream(let path) = try headerMapLocation(rawType) else { throw .status(.badArgument) }
        try modifyStream { stream throws(HostCallError) in
            // Maps are small: changing a copy lets an oversized result be
            // refused without touching the original.
            var fields = stream[keyPath: path]
            change(&fields)
            try checkSize(fields.serializedSize)
            stream[keyPath: path] = fields
        }
    }
}
