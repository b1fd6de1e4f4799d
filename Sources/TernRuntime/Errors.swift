import TernEngine
import TernProxyWasm

/// Why an install, update or removal was refused. Nothing changed.
public enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The settings or the request carrying them are wrong.
    case invalidSettings(SettingsError)
    /// The module does not decode, validate or link, or breaks the ABI.
    case invalidModule(ProxyWasmError)
    /// The module is valid but its first instance failed to load
    /// (`_initialize`, `proxy_on_vm_start`, `proxy_on_configure`...).
    case startFailed(ProxyWasmError)
    /// The id the guest announces is not a usable route id.
    case invalidAnnouncedID(String, reason: String)
    /// Layotto's install of a name already installed.
    case nameInUse(String)
    /// Another install (another name) already routes this id.
    case idInUse(id: String, name: String)
    case unknownFunction(String)
    /// Layotto's update or uninstall of a name nothing is installed as.
    case unknownName(String)

    public var description: String {
        switch self {
        case .invalidSettings(let error): error.description
        case .invalidModule(let error): error.description
        case .startFailed(let error): "the function failed to start: \(error.firstLine)"
        case .invalidAnnouncedID(_, let reason): "the module's proxy_get_id announces an unusable id: \(reason)"
        case .nameInUse(let name): "a function named '\(name)' is already installed (update or uninstall it first)"
        case .idInUse(let id, let name): "function id '\(id)' is already routed to the function named '\(name)'"
        case .unknownFunction(let id): "unknown function '\(id)'"
        case .unknownName(let name): "no function is installed as '\(name)'"
        }
    }

    /// The admin API's status for it.
    var httpStatus: Int {
        switch self {
        case .invalidSettings, .invalidModule, .startFailed, .invalidAnnouncedID: 400
        case .nameInUse, .idInUse: 409
        case .unknownFunction, .unknownName: 404
        }
    }
}

/// Why a request to a function got no answer from it. Other requests and
/// functions are unaffected; an instance that failed is discarded.
public enum FunctionFailure: Error, Sendable, CustomStringConvertible {
    case unknownFunction(String)
    /// Every instance is busy and the wait queue is full.
    case overloaded(function: String, busy: Int, queued: Int)
    /// The function's timeout passed (waiting for an instance included).
    case deadlineExceeded(function: String)
    /// The guest trapped, could not be instantiated, or a chain of
    /// invocations went too deep.
    case failed(function: String, ProxyWasmError)
    /// The function's answer cannot be sent (a bad header, a 1xx status),
    /// or it reset the stream.
    case invalidResponse(function: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFunction(let id): "unknown function '\(id)'"
        case .overloaded(let function, let busy, let queued):
            "function '\(function)' is overloaded: \(busy) instances busy and \(queued) requests waiting"
        case .deadlineExceeded(let function): "function '\(function)' exceeded its deadline"
        case .failed(let function, let error): "function '\(function)' failed: \(error.firstLine)"
        case .invalidResponse(let function, let reason): "function '\(function)' gave an unusable response: \(reason)"
        }
    }

    /// The status the client gets.
    public var httpStatus: Int {
        switch self {
        case .unknownFunction: 404
        case .overloaded: 503
        case .deadlineExceeded: 504
        // Loop Detected (RFC 5842): the usual cause is a cycle of calls.
        case .failed(_, .callDepthExceeded): 508
        case .failed: 500
        case .invalidResponse: 502
        }
    }

    /// A short machine-readable name of the failure.
    public var kind: String {
        switch self {
        case .unknownFunction: "unknown_function"
        case .overloaded: "overloaded"
        case .deadlineExceeded: "deadline_exceeded"
        case .failed(_, let error):
            switch error {
            case .trap: "trap"
            case .callDepthExceeded: "invocation_depth_exceeded"
            default: "start_failed"
            }
        case .invalidResponse: "invalid_response"
        }
    }

    /// The failure of `function` that `error`, thrown by the proxy-wasm
    /// host, stands for.
    init(function: String, _ error: ProxyWasmError) {
        switch error {
        case .deadlineExceeded: self = .deadlineExceeded(function: function)
        case .streamClosed: self = .invalidResponse(function: function, reason: error.description)
        default: self = .failed(function: function, error)
        }
    }

    /// The JSON body the client gets.
    var json: JSONValue {
        var fields: [String: JSONValue] = ["error": .string(description), "kind": .string(kind)]
        switch self {
        case .unknownFunction(let id): fields["function"] = .string(id)
        case .overloaded(let function, _, _), .deadlineExceeded(let function), .invalidResponse(let function, _):
            fields["function"] = .string(function)
        case .failed(let function, let error):
            fields["function"] = .string(function)
            if case .trap(let trap) = error {
                fields["trap"] = .string(trap.kind.description)
                fields["backtrace"] = .array(trap.backtrace.map { .string($0.description) })
            }
        }
        return .object(fields)
    }
}

extension ProxyWasmError {
    /// The description without a trap's backtrace lines (reported apart).
    var firstLine: String { String(description.prefix { $0 != "\n" }) }
}
