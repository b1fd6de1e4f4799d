/// Answering, pausing and resetting the request, and HTTP calls.
extension HostCall {
    /// Ends the request with this answer; later request callbacks are
    /// skipped. Unlike Layotto, Tern honours the status (100-599). A
    /// `grpc_status` other than -1 adds a `grpc-status` header; the status
    /// details are logged at debug level.
    func proxySendLocalResponse() throws(HostCallError) {
        let status = Int(u32(0))
        let details = try string(at: 1)
        let body = try bytes(at: 3)
        guard let headers = HeaderFields(serialized: try bytes(at: 5)), (100...599).contains(status) else {
            throw .status(.badArgument)
        }
        try state.checkSize(body.count)
        var response = FunctionResponse(status: status, headers: headers.pairs.filter { !$0.0.hasPrefix(":") },
                                        body: body)
        let grpcStatus = Int32(bitPattern: u32(7))
        if grpcStatus >= 0 { response.headers.append(("grpc-status", String(grpcStatus))) }
        try state.modifyStream { $0.localResponse = response }
        if !details.isEmpty { state.log(.debug, "local response \(status): \(details)") }
    }

    /// Resumes a request paused by a callback (typically from
    /// `proxy_on_http_call_response`). Tern runs no response callbacks, so
    /// there is no response to resume; TCP streams do not exist.
    func proxyContinueStream() throws(HostCallError) {
        switch StreamType(rawValue: u32(0)) {
        case .httpRequest?: try state.modifyStream { $0.isPaused = false }
        case .httpResponse?: try state.readStream { _ in }
        case .downstream?, .upstream?: throw .status(.unimplemented)
        case nil: throw .status(.badArgument)
        }
    }

    /// Resets the request: `handle` then throws `streamClosed`.
    func proxyCloseStream() throws(HostCallError) {
        switch StreamType(rawValue: u32(0)) {
        case .httpRequest?, .httpResponse?: try state.modifyStream { $0.isClosed = true }
        case .downstream?, .upstream?: throw .status(.unimplemented)
        case nil: throw .status(.badArgument)
        }
    }

    /// Sends an HTTP request to `upstream`: an allow-listed upstream of the
    /// `UpstreamClient`, else the function with that id. The call runs now;
    /// its answer is delivered to `proxy_on_http_call_response` once the
    /// current callback returns (the SDKs register the callback after this
    /// function returns). Headers must hold `:method` and `:path`; a
    /// timeout of 0 means only the request's deadline applies. Unknown
    /// upstreams are `BAD_ARGUMENT`; failed calls are answered with zero
    /// headers.
    func proxyHTTPCall() throws(HostCallError) {
        let upstream = try string(at: 0)
        guard let headers = HeaderFields(serialized: try bytes(at: 2)),
              let trailers = HeaderFields(serialized: try bytes(at: 6)),
              let method = headers.value(for: ":method"), headers.value(for: ":path") != nil
        else { throw .status(.badArgument) }
        let body = try bytes(at: 4)
        let timeout = u32(8) == 0 ? nil : Duration.milliseconds(u32(8))
        try checkReturnSlots(9)
        let callID = state.makeCallID()
        let completed: CompletedHTTPCall
        switch try state.sendHTTPCall(to: upstream, method: method, headers: headers, body: body, trailers: trailers,
                                      timeout: timeout) {
        case .success(let response):
            completed = CompletedHTTPCall(callID: callID, callerContextID: state.effectiveContextID, response: response)
        case .failure(.unknownFunction):
            throw .status(.badArgument)
        case .failure(let error):
            completed = CompletedHTTPCall(callID: callID, callerContextID: state.effectiveContextID,
                                          failure: error.description)
        }
        state.completedHTTPCalls.append(completed)
        try store(callID, atPointerIn: 9)
    }

    /// While an HTTP call's answer is delivered: its status (0 when it
    /// failed) and, for a failure, why.
    func proxyGetStatus() throws(HostCallError) {
        guard let call = state.deliveredHTTPCall else { throw .status(.notFound) }
        try checkReturnSlots(0)
        try returnBytes(Array(call.message.utf8), toPointersIn: 1)
        try store(call.status, atPointerIn: 0)
    }
}

extension HostState {
    func sendHTTPCall(to upstream: String, method: String, headers: HeaderFields, body: [UInt8],
                      trailers: HeaderFields, timeout: Duration?) throws(HostCallError)
        -> Result<FunctionResponse, InvocationError> {
        let callDeadline = [deadline, timeout.map { ContinuousClock.now + $0 }].compactMap { $0 }.min()
        guard let upstreams = services.upstreams, upstreams.allows(upstream: upstream) else {
            return try invoke(functionID: upstream, method: method, body: body, headers: headers.pairs,
                              deadline: callDeadline)
        }
        if hasRequestDeadlinePassed { throw failChain(.deadlineExceeded) }
        var request = FunctionRequest(invocationMethod: method, headers: headers.pairs, body: body)
        request.trailers = trailers.pairs
        do {
            return .success(try upstreams.send(upstream: upstream, request: request,
                                               timeout: callDeadline.map { $0 - ContinuousClock.now }))
        } catch {
            log(.warn, "HTTP call to upstream \(upstream) failed: \(error)")
            return .failure(.failed(error.description))
        }
    }

    var hasRequestDeadlinePassed: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }

    /// Runs another function through the invoker. Failures that doom the
    /// whole chain (too deep, or past the request's own deadline) stop this
    /// guest too; other failures are returned for the caller to report to
    /// the guest as a status.
    func invoke(functionID callee: String, method: String, body: [UInt8], headers: [(String, String)],
                deadline callDeadline: ContinuousClock.Instant?) throws(HostCallError)
        -> Result<FunctionResponse, InvocationError> {
        let limit = configuration.maxInvocationDepth
        guard invocationDepth < limit else { throw failChain(.callDepthExceeded(limit: limit)) }
        if hasRequestDeadlinePassed { throw failChain(.deadlineExceeded) }
        do {
            return .success(try services.invoker.invoke(functionID: callee, method: method, body: body,
                                                        headers: headers, deadline: callDeadline,
                                                        depth: invocationDepth + 1))
        } catch {
            switch error {
            case .callDepthExceeded(let calleeLimit):
                throw failChain(.callDepthExceeded(limit: calleeLimit))
            case .deadlineExceeded where hasRequestDeadlinePassed:
                throw failChain(.deadlineExceeded)
            default:
                log(.warn, "invoking \(callee) failed: \(error)")
                return .failure(error)
            }
        }
    }
}
