#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Logging, contexts, timers and clocks.
extension HostCall {
    func proxyLog() throws(HostCallError) {
        guard let level = ProxyLogLevel(rawValue: u32(0)) else { throw .status(.badArgument) }
        // Filtered before reading: guests often log below the host's level.
        guard level >= state.services.logger.minimumLevel else { return }
        state.log(level, try string(at: 1))
    }

    func proxyGetLogLevel() throws(HostCallError) {
        try store(state.services.logger.minimumLevel.rawValue, atPointerIn: 0)
    }

    /// Only the root context and the request being served exist.
    func proxySetEffectiveContext() throws(HostCallError) {
        let contextID = u32(0)
        guard contextID == HostState.rootContextID || contextID == state.stream?.contextID else {
            throw .status(.badArgument)
        }
        state.effectiveContextID = contextID
    }

    /// Acknowledges a `false` from `proxy_on_done`. Tern finishes the
    /// request either way once its callbacks return: a synchronous host
    /// cannot keep a context alive past its request.
    func proxyDone() throws(HostCallError) {
        try state.modifyStream { stream throws(HostCallError) in
            guard stream.isFinalizationPending else { throw .status(.notFound) }
            stream.isFinalizationPending = false
        }
    }

    /// The runtime reads the period (`ProxyWasmInstance.tickPeriod`) and
    /// calls `tick()`; 0 stops the ticks.
    func proxySetTickPeriodMilliseconds() throws(HostCallError) {
        let milliseconds = u32(0)
        state.tickPeriod = milliseconds == 0 ? nil : .milliseconds(milliseconds)
    }

    /// Wall-clock time in nanoseconds since the Unix epoch.
    func proxyGetCurrentTimeNanoseconds() throws(HostCallError) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanoseconds = UInt64(max(0, now.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, now.tv_nsec))
        try store(nanoseconds, atPointerIn: 0)
    }

    /// Tern registers no foreign functions.
    func proxyCallForeignFunction() throws(HostCallError) {
        _ = try bytes(at: 0)
        throw .status(.notFound)
    }
}
