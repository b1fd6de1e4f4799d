/// One accepted connection, owned by one event loop and used only on its
/// thread.
///
/// Requests are parsed as bytes arrive and handed to the handler at once, so
/// pipelined requests run concurrently; each gets a slot in `responses`, and
/// slots leave for the socket strictly in request order. The socket is
/// registered edge-triggered, so `socketReadable`/`socketWritable` remember
/// readiness until a call returns `EAGAIN`.
final class Connection {
    private enum Phase {
        /// Reading and dispatching requests.
        case open
        /// No further requests (the last one asked to close, the input was
        /// bad or ended, or the server is shutting down): send what is owed,
        /// then close.
        case finishing
        /// Everything is sent and the sending side shut down; input is read
        /// and dropped until the client closes or `deadline`, so unread input
        /// does not make the kernel reset the connection before the client
        /// has read the last response.
        case lingering(deadline: ContinuousClock.Instant)
    }

    private struct ResponseSlot {
        enum State {
            case awaitingHandler(HTTPResponseSerializer.Context)
            case ready(bytes: [UInt8], closesConnection: Bool)
        }

        /// The request's number on this connection; `nil` for `100 Continue`.
        var sequence: UInt64?
        var state: State
    }

    private static let readsPerWakeup = 16
    private static let lingerTimeout = Duration.seconds(2)
    private static let retainedOutputCapacity = 64 * 1024

    let token: UInt64
    private let socket: FileDescriptor
    private unowned let loop: EventLoop
    private var parser: HTTPRequestParser
    private var phase = Phase.open
    private var responses: [ResponseSlot] = []
    private var nextSequence: UInt64 = 0
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var socketReadable = false
    private var socketWritable = true
    private var peerClosedInput = false
    private var lastActivity: ContinuousClock.Instant
    private(set) var isClosed = false

    init(token: UInt64, socket: FileDescriptor, loop: EventLoop) {
        self.token = token
        self.socket = socket
        self.loop = loop
        self.parser = HTTPRequestParser(limits: loop.configuration.limits)
        self.lastActivity = loop.now
    }

    // MARK: Entry points (called by the loop)

    func handle(_ events: Epoll.Events) {
        if events.contains(.error) { return close() }
        if events.contains(.writable) { socketWritable = true }
        if !events.isDisjoint(with: [.readable, .readHangup, .hangup]) { socketReadable = true }
        pump()
    }

    func complete(sequence: UInt64, with response: HTTPResponse) {
        guard let index = responses.firstIndex(where: { $0.sequence == sequence }),
              case .awaitingHandler(var context) = responses[index].state
        else { return }
        context.keepAlive = context.keepAlive && !loop.isShuttingDown
            && !response.headers.containsToken("close", in: "Connection")
        let bytes: [UInt8]
        do throws(HTTPSerializationError) {
            bytes = try HTTPResponseSerializer.serialize(response, context: context, date: loop.currentDate())
        } catch {
            loop.log("handler response not sent (\(error)); sent 500 instead")
            bytes = serializeBuiltIn(HTTPResponse(status: .internalServerError, text: "Internal Server Error\n"), context: context)
        }
        responses[index].state = .ready(bytes: bytes, closesConnection: !context.keepAlive)
        pump()
    }

    func beginShutdown() {
        if case .open = phase { phase = .finishing }
        pump()
    }

    func resumeReading() {
        guard !isClosed else { return }
        pump()
    }

    /// Closes the connection when it has been quiet for the idle timeout
    /// (not while a handler is working on one of its requests) or when
    /// lingering is over.
    func checkTimeouts() {
        if case .lingering(let deadline) = phase {
            if loop.now >= deadline { close() }
        } else if responses.isEmpty, lastActivity.duration(to: loop.now) >= loop.configuration.idleTimeout {
            close()
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
        loop.connectionDidClose(self)
    }

    // MARK: Progress

    /// Makes every step possible without blocking: dispatch buffered
    /// requests, move finished responses to the output in order, write,
    /// finish or linger when done, read more. A loop rather than recursion,
    /// so no step re-enters another.
    private func pump() {
        var readsLeft = Connection.readsPerWakeup
        while !isClosed {
            if case .open = phase { dispatchBufferedRequests() }
            moveReadyResponsesToOutput()
            guard writeOutput() else { return close() }
            if case .lingering = phase { return discardInput() }
            let allSent = responses.isEmpty && outputOffset == output.count
            if case .finishing = phase, allSent {
                finish()
                continue
            }
            guard case .open = phase, socketReadable, responses.count < loop.configuration.maxPipelinedRequests else { return }
            guard readsLeft > 0 else { return loop.deferRead(self) }
            readsLeft -= 1
            guard readInput() else { return close() }
        }
    }

    private func dispatchBufferedRequests() {
        while case .open = phase, responses.count < loop.configuration.maxPipelinedRequests {
            let event: HTTPRequestParser.Event?
            do throws(HTTPParseError) {
                event = try parser.next()
            } catch {
                rejectInput(error)
                return
            }
            switch event {
            case nil:
                return
            case .continueExpected:
                responses.append(ResponseSlot(sequence: nil, state: .ready(bytes: HTTPResponseSerializer.continueResponse, closesConnection: false)))
            case .request(let request):
                dispatch(request)
            }
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        let sequence = nextSequence
        nextSequence += 1
        responses.append(ResponseSlot(sequence: sequence, state: .awaitingHandler(HTTPResponseSerializer.Context(answering: request))))
        if !request.keepAlive { phase = .finishing }
        let delivery = ResponseDelivery(mailbox: loop.mailbox, connection: token, sequence: sequence)
        loop.handler.handle(request) { response in delivery.deliver(response) }
    }

    /// Answers unparseable input with its error status; the connection then
    /// closes, since where the next request would start is unknown.
    private func rejectInput(_ error: HTTPParseError) {
        let context = HTTPResponseSerializer.Context(requestMethod: .get, requestVersion: .http1_1, keepAlive: false)
        let response = HTTPResponse(status: error.status, text: "\(error.status): \(error)\n")
        responses.append(ResponseSlot(sequence: nil, state: .ready(bytes: serializeBuiltIn(response, context: context), closesConnection: true)))
        phase = .finishing
    }

    private func moveReadyResponsesToOutput() {
        while let first = responses.first, case .ready(let bytes, let closesConnection) = first.state {
            responses.removeFirst()
            if output.isEmpty { output = bytes } else { output.append(contentsOf: bytes) }
            if closesConnection {
                // Requests after this one are never answered: their handlers'
                // responses find no slot and are dropped.
                responses.removeAll()
                phase = .finishing
            }
        }
    }

    /// Writes as much output as the socket takes; `false` on a socket error.
    private func writeOutput() -> Bool {
        while socketWritable, outputOffset < output.count {
            let written: Int?
            do throws(SystemError) {
                written = try socket.send(output, from: outputOffset)
            } catch {
                return false
            }
            guard let written else {
                socketWritable = false
                break
            }
            outputOffset += written
            lastActivity = loop.now
        }
        if outputOffset == output.count, !output.isEmpty {
            output.removeAll(keepingCapacity: output.capacity <= Connection.retainedOutputCapacity)
            outputOffset = 0
        }
        return true
    }

    /// One `recv`; `false` on a socket error.
    private func readInput() -> Bool {
        do {
            switch try socket.receive(into: loop.readBuffer) {
            case .wouldBlock:
                socketReadable = false
            case .endOfStream:
                socketReadable = false
                peerClosedInput = true
                phase = .finishing
            case .bytes(let count):
                parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
                lastActivity = loop.now
            }
            return true
        } catch {
            return false
        }
    }

    /// Everything owed is sent: close, or half-close and linger when the
    /// client may still be sending.
    private func finish() {
        if peerClosedInput || loop.isShuttingDown {
            close()
        } else {
            socket.shutdownSending()
            phase = .lingering(deadline: loop.now + Connection.lingerTimeout)
        }
    }

    private func discardInput() {
        for _ in 0..<Connection.readsPerWakeup {
            guard socketReadable else { return }
            switch try? socket.receive(into: loop.readBuffer) {
            case .bytes: continue
            case .wouldBlock: socketReadable = false
            case .endOfStream, nil: close()
            }
            return
        }
        loop.deferRead(self)
    }

    private func serializeBuiltIn(_ response: HTTPResponse, context: HTTPResponseSerializer.Context) -> [UInt8] {
        do {
            return try HTTPResponseSerializer.serialize(response, context: context, date: loop.currentDate())
        } catch {
            preconditionFailure("built-in response does not serialize: \(error)")
        }
    }
}
