import TernFormat

/// Why a module cannot be compiled: it is not well-formed binary, it fails
/// validation, or it uses a feature Tern does not implement.
public enum CompileError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(MalformedError)
    /// `functionIndex` is the index in the function index space (imports
    /// first) of the function whose body is invalid; nil for module-level
    /// problems (types, limits, exports, segments...).
    case invalid(reason: String, functionIndex: Int?)
    case unsupported(feature: String)

    public var description: String {
        switch self {
        case .malformed(let error):
            return error.description
        case .invalid(let reason, let functionIndex?):
            return "invalid: \(reason) in function \(functionIndex)"
        case .invalid(let reason, nil):
            return "invalid: \(reason)"
        case .unsupported(let feature):
            return "unsupported feature: \(feature)"
        }
    }
}

/// Why a compiled module cannot be instantiated.
public enum InstantiationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An import is missing or has the wrong type.
    case unlinkable(module: String, name: String, reason: String)
    /// A limit of the store (memory or table ceiling) refuses the module.
    case resourceLimit(String)
    /// Initialization (segments, start function) trapped.
    case trap(Trap)

    public var description: String {
        switch self {
        case .unlinkable(let module, let name, let reason):
            return "unlinkable: \(module).\(name): \(reason)"
        case .resourceLimit(let reason):
            return "resource limit: \(reason)"
        case .trap(let trap):
            return trap.description
        }
    }
}

/// The kinds of trap. The first ten are the spec's; the rest come from the
/// sandbox's limits and from host functions.
public enum TrapKind: Sendable, Equatable, CustomStringConvertible {
    case unreachable
    case memoryOutOfBounds
    case tableOutOfBounds
    case undefinedElement
    case uninitializedElement
    case indirectCallTypeMismatch
    case integerDivideByZero
    case integerOverflow
    case invalidConversionToInteger
    case callStackExhausted
    case deadlineExceeded
    case fuelExhausted
    /// A host function failed; the message says why.
    case host(String)
    /// The guest asked to exit (WASI `proc_exit`); not an error for commands.
    case exit(code: Int32)

    public var description: String {
        switch self {
        case .unreachable: "unreachable"
        case .memoryOutOfBounds: "out of bounds memory access"
        case .tableOutOfBounds: "out of bounds table access"
        case .undefinedElement: "undefined element"
        case .uninitializedElement: "uninitialized element"
        case .indirectCallTypeMismatch: "indirect call type mismatch"
        case .integerDivideByZero: "integer divide by zero"
        case .integerOverflow: "integer overflow"
        case .invalidConversionToInteger: "invalid conversion to integer"
        case .callStackExhausted: "call stack exhausted"
        case .deadlineExceeded: "deadline exceeded"
        case .fuelExhausted: "fuel exhausted"
        case .host(let message): message
        case .exit(let code): "exit with code \(code)"
        }
    }
}

/// One Wasm frame of a trap's backtrace, innermost first.
public struct BacktraceFrame: Sendable, Equatable, CustomStringConvertible {
    /// Index in the module's function index space.
    public var functionIndex: Int
    /// From the module's name section, when it has one.
    public var functionName: String?

    public init(functionIndex: Int, functionName: String?) {
        self.functionIndex = functionIndex
        self.functionName = functionName
    }

    public var description: String {
        if let name = functionName { return "\(name) (func \(functionIndex))" }
        return "func \(functionIndex)"
    }
}

/// A trap: execution stopped. The instance that trapped may be in an
/// inconsistent state and is expected to be discarded by the embedder.
public struct Trap: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: TrapKind
    public var backtrace: [BacktraceFrame]

    public init(_ kind: TrapKind, backtrace: [BacktraceFrame] = []) {
        self.kind = kind
        self.backtrace = backtrace
    }

    /// `trap: <kind>` followed by one indented line per frame.
    public var description: String {
        var text = "trap: \(kind)"
        for frame in backtrace { text += "\n  at \(frame)" }
        return text
    }
}
