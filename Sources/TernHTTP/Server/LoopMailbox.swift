/// Work that other threads hand to an event loop.
enum LoopMessage: Sendable {
    /// A handler's response to request `sequence` on `connection`.
    case response(connection: UInt64, sequence: UInt64, HTTPResponse)
    /// Stop accepting, finish in-flight requests, force-close at `deadline`.
    case shutdown(deadline: ContinuousClock.Instant)
}

/// The only way into an event loop from another thread: a locked queue of
/// messages plus an eventfd that wakes the loop from `epoll_wait`.
///
/// The eventfd is written only when the loop is (about to be) blocked, so a
/// burst of responses costs one wake-up, and responses posted while the loop
/// is busy cost none. The lock is held only to move messages in and out; the
/// request path has no other shared state.
final class LoopMailbox: Sendable {
    private struct State {
        var messages: [LoopMessage] = []
        var loopIsWaiting = false
    }

    private let state = Locked(State())
    let wakeup: EventFD

    init() throws(SystemError) {
        wakeup = try EventFD.create()
    }

    /// The eventfd lives as long as anyone can post (handlers may hold a
    /// `respond` callback past the loop's end), so posting never writes to a
    /// closed or reused descriptor.
    deinit {
        wakeup.descriptor.close()
    }

    func post(_ message: LoopMessage) {
        let mustWake = state.withLock { state in
            state.messages.append(message)
            let wasWaiting = state.loopIsWaiting
            state.loopIsWaiting = false
            return wasWaiting
        }
        if mustWake { wakeup.signal() }
    }

    /// Loop side, before `epoll_wait`: takes the queued messages. When there
    /// are none, records that the loop is going to block so that the next
    /// `post` signals the eventfd.
    func takeMessagesOrPrepareToWait() -> [LoopMessage] {
        state.withLock { state in
            if state.messages.isEmpty {
                state.loopIsWaiting = true
                return []
            }
            let messages = state.messages
            state.messages = []
            return messages
        }
    }

    /// Loop side, after `epoll_wait`: the loop is running again and will
    /// look at the queue before blocking, so posts need not signal.
    func loopDidWake() {
        state.withLock { $0.loopIsWaiting = false }
    }
}
