import Synchronization
import TernWASI

/// The function id, shared by an instance's host state and its WASI output
/// sinks (which need it to log, and outlive no instance but must be
/// `Sendable`). It changes once, when the guest announces its id.
final class FunctionIdentity: Sendable {
    private let id: Mutex<String>

    init(_ id: String) { self.id = Mutex(id) }

    var value: String {
        get { id.withLock { $0 } }
        set { id.withLock { $0 = newValue } }
    }
}

/// Sends what a guest writes to WASI stdout or stderr to the function
/// logger, as the spec asks of proxy-wasm hosts: stdout at info level,
/// stderr at error level. Each write is one message, without its trailing
/// newline.
final class GuestOutputLogger: WASIOutputSink {
    private let logger: any FunctionLogger
    private let level: ProxyLogLevel
    private let identity: FunctionIdentity

    init(logger: any FunctionLogger, level: ProxyLogLevel, identity: FunctionIdentity) {
        self.logger = logger
        self.level = level
        self.identity = identity
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(WASIErrno) {
        guard level >= logger.minimumLevel else { return }
        var message = String(decoding: bytes, as: UTF8.self)
        if message.hasSuffix("\n") { message.removeLast() }
        logger.log(functionID: identity.value, level: level, message: message)
    }
}
