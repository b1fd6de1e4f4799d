import TernEngine

/// Why a proxy-wasm function could not be installed, loaded, or could not
/// answer.
public enum ProxyWasmError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a valid module Tern can run.
    case compile(CompileError)
    /// An import Tern does not provide (e.g. `unlinkable: env.proxy_foo:
    /// unknown import`), or another instantiation failure.
    case instantiation(InstantiationError)
    /// The module breaks the ABI: no memory, no allocator, a callback with
    /// the wrong signature, an unsupported ABI version.
    case invalidModule(String)
    /// The guest trapped. The instance is discarded.
    case trap(Trap)
    /// The deadline passed. An instance interrupted mid-run is discarded.
    case deadlineExceeded
    /// A chain of invocations between functions went deeper than allowed
    /// (usually a cycle). Every instance of the chain is discarded.
    case callDepthExceeded(limit: Int)
    /// `proxy_on_vm_start` or `proxy_on_configure` returned false.
    case startFailed(String)
    /// The function reset the request with `proxy_close_stream`: there is
    /// no response. The instance stays usable.
    case streamClosed
    /// The instance is already running (instances serve one request at a
    /// time and are not reentrant).
    case instanceBusy
    /// An earlier failure left the instance unusable; make a new one.
    case instanceUnusable

    public var description: String {
        switch self {
        case .compile(let error): error.description
        case .instantiation(let error): error.description
        case .invalidModule(let reason): "invalid proxy-wasm module: \(reason)"
        case .trap(let trap): trap.description
        case .deadlineExceeded: "deadline exceeded"
        case .callDepthExceeded(let limit):
            "invocation depth limit of \(limit) exceeded: functions invoke each other in a cycle or too deep a chain"
        case .startFailed(let reason): "function failed to start: \(reason)"
        case .streamClosed: "the function closed the stream"
        case .instanceBusy: "instance is busy with another call"
        case .instanceUnusable: "instance is unusable after an earlier failure"
        }
    }
}
