import Dispatch
import Synchronization

/// Answers requests for an `HTTPServer`.
///
/// `handle` is called on the event loop thread that owns the connection, so
/// it must return quickly and never block: start the work elsewhere (a worker
/// pool, a task, a queue) and call `respond` when it is done.
///
/// Contract for `respond`:
/// - call it exactly once, from any thread, at any time; later calls are
///   ignored;
/// - if it is released without being called (the handler lost it), the
///   server answers `500 Internal Server Error` so the connection cannot hang;
/// - responses to pipelined requests are sent in request order whatever the
///   order in which their handlers finish.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
}

/// A handler made of a function that computes the response directly.
/// A thrown error becomes a bare `500 Internal Server Error` (details are not
/// sent to the client).
public struct SynchronousHTTPHandler: HTTPHandler {
    /// Where the function runs.
    public enum ExecutionContext: Sendable {
        /// On the event loop thread itself: only for functions that are cheap
        /// and never block (routing, health checks, static answers).
        case eventLoop
        /// On a Dispatch queue, e.g. `.global()`: for anything that may block.
        case dispatchQueue(DispatchQueue)
    }

    private let context: ExecutionContext
    private let body: @Sendable (HTTPRequest) throws -> HTTPResponse

    public init(runningOn context: ExecutionContext, _ body: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.context = context
        self.body = body
    }

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let body = self.body
        let run: @Sendable () -> Void = {
            respond((try? body(request)) ?? HTTPResponse(status: .internalServerError, text: "Internal Server Error\n"))
        }
        switch context {
        case .eventLoop: run()
        case .dispatchQueue(let queue): queue.async(execute: run)
        }
    }
}

/// The server side of one `respond` callback: delivers the response to the
/// event loop that owns the connection, once.
final class ResponseDelivery: Sendable {
    private let mailbox: LoopMailbox
    private let connection: UInt64
    private let sequence: UInt64
    private let delivered = Atomic<Bool>(false)

    init(mailbox: LoopMailbox, connection: UInt64, sequence: UInt64) {
        self.mailbox = mailbox
        self.connection = connection
        self.sequence = sequence
    }

    func deliver(_ response: HTTPResponse) {
        guard !delivered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        mailbox.post(.response(connection: connection, sequence: sequence, response))
    }

    deinit {
        deliver(HTTPResponse(status: .internalServerError, text: "Internal Server Error: the handler did not respond\n"))
    }
}
