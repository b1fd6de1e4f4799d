/// `proxy_get_buffer_bytes`, `proxy_set_buffer_bytes`,
/// `proxy_get_buffer_status`: one implementation for every buffer type.
extension HostCall {
    func proxyGetBufferBytes() throws(HostCallError) {
        let buffer = try state.buffer(u32(0))
        let start = Int(u32(1)), maxSize = Int(u32(2))
        guard start <= buffer.count else { throw .status(.badArgument) }
        try returnBytes(Array(buffer[start..<start + min(maxSize, buffer.count - start)]), toPointersIn: 3)
    }

    /// Replaces `size` bytes at `start` with the given data. Hence prepend
    /// (start 0, size 0), append (start at or past the end), replace (start
    /// 0, size at least the length, e.g. the SDKs' 0x7fffffff) and inject.
    func proxySetBufferBytes() throws(HostCallError) {
        let start = Int(u32(1)), size = Int(u32(2))
        let data = try bytes(at: 3)
        try state.replaceBufferBytes(u32(0), start: start, count: size, with: data)
    }

    func proxyGetBufferStatus() throws(HostCallError) {
        let size = try state.buffer(u32(0)).count
        try checkReturnSlots(1, 2)
        try store(UInt32(clamping: size), atPointerIn: 1)
        try store(UInt32(0), atPointerIn: 2)
    }
}

extension HostState {
    private enum BufferLocation {
        case stream(WritableKeyPath<StreamState, [UInt8]>)
        case callData
        case httpCallResponseBody
        case vmConfiguration
        case pluginConfiguration
    }

    /// Unknown types are `BAD_ARGUMENT`; types an HTTP function never has
    /// (TCP data, gRPC messages), or that need a context that is not the
    /// effective one, are `NOT_FOUND`.
    private func bufferLocation(_ rawType: UInt32) throws(HostCallError) -> BufferLocation {
        guard let type = BufferType(rawValue: rawType) else { throw .status(.badArgument) }
        switch type {
        case .httpRequestBody: return .stream(\.requestBody)
        case .httpResponseBody: return .stream(\.responseBody)
        case .httpCallResponseBody: return .httpCallResponseBody
        case .vmConfiguration: return .vmConfiguration
        case .pluginConfiguration: return .pluginConfiguration
        case .callData: return .callData
        case .downstreamData, .upstreamData, .grpcReceiveBuffer: throw .status(.notFound)
        }
    }

    func buffer(_ rawType: UInt32) throws(HostCallError) -> [UInt8] {
        switch try bufferLocation(rawType) {
        case .stream(let path): return try readStream { $0[keyPath: path] }
        case .callData: return callData
        case .httpCallResponseBody:
            guard let deliveredHTTPCall else { throw .status(.notFound) }
            return deliveredHTTPCall.body
        case .vmConfiguration: return configuration.vmConfiguration
        case .pluginConfiguration: return configuration.pluginConfiguration
        }
    }

    /// Configuration and HTTP-call buffers are read-only.
    func replaceBufferBytes(_ rawType: UInt32, start: Int, count: Int, with data: [UInt8]) throws(HostCallError) {
        func replace(in buffer: inout [UInt8]) throws(HostCallError) {
            let lower = min(start, buffer.count)
            let upper = lower + min(count, buffer.count - lower)
            try checkSize(buffer.count - (upper - lower) + data.count)
            buffer.replaceSubrange(lower..<upper, with: data)
        }
        switch try bufferLocation(rawType) {
        case .stream(let path): try modifyStream { stream throws(HostCallError) in try replace(in: &stream[keyPath: path]) }
        case .callData: try replace(in: &callData)
        case .httpCallResponseBody, .vmConfiguration, .pluginConfiguration: throw .status(.badArgument)
        }
    }
}
