import TernEngine
import TernFormat

/// How a `runCommand` ended.
public enum RunOutcome: Sendable, Equatable, CustomStringConvertible {
    /// A command finished: `_start` returned (code 0) or the guest called
    /// `proc_exit(code)`.
    case exited(code: Int32)
    /// An invoked export returned these values.
    case returned([Value])
    /// The guest trapped (a limit included: `deadline exceeded`,
    /// `fuel exhausted`, `call stack exhausted`). The instance is discarded.
    case trapped(Trap)
    /// The module could not be run: setup, link or instantiation failed, or
    /// the export to call is missing or its parameters are unusable.
    case failed(String)

    /// The process exit status for `tern run`: the guest's code; 0 for a
    /// returned invocation; 134 (128 + SIGABRT, as wasmtime) for a trap; 1
    /// when the module could not be run.
    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .returned: 0
        case .trapped: 134
        case .failed: 1
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .returned(let values): "returned (\(values.map(\.description).joined(separator: " ")))"
        case .trapped(let trap): trap.description
        case .failed(let message): "error: \(message)"
        }
    }
}

/// Runs `module` as `tern run` does: a fresh store with `options.limits`, a
/// WASI context with `options`' capabilities and `arguments` as `argv`
/// (program name first), then
/// - a command: `_start`, whose `proc_exit` code (or 0) is the outcome;
/// - with `options.invoke`: `_initialize` if the module has it (a reactor),
///   then the named export with `arguments.dropFirst()` parsed as its
///   parameters (`i32`/`i64` decimal integers, `f32`/`f64` decimals).
///
/// `options.limits.timeout` covers instantiation (the start function) and
/// the call together, through `DeadlineTimer.shared`. Denied calls are
/// recorded in `deniedCalls`.
public func runCommand(engine: Engine, module: CompiledModule, options: RunSandboxOptions, arguments: [String],
                       stdin: WASIInputSource = BytesInput(), stdout: WASIOutputSink, stderr: WASIOutputSink,
                       deniedCalls: DeniedCallLog = DeniedCallLog(function: "main")) -> RunOutcome {
    if let invoke = options.invoke, module.exports.first(where: { $0.name == invoke && $0.kind == .function }) == nil {
        return .failed("module has no exported function '\(invoke)'")
    }
    let wasi: WASI
    do {
        wasi = try WASI(configuration: options.wasiConfiguration(arguments: arguments), stdin: stdin,
                        stdout: stdout, stderr: stderr, deniedCalls: deniedCalls)
    } catch {
        return .failed(error.description)
    }
    defer { wasi.close() }
    let store = options.limits.makeStore(engine: engine)
    let linker = Linker()
    wasi.define(in: linker, for: module)

    var token: DeadlineTimer.Token?
    if let timeout = options.limits.timeout {
        token = DeadlineTimer.shared.arm(store.interruptHandle, after: timeout)
    }
    defer { if let token { DeadlineTimer.shared.disarm(token) } }

    func outcome(of trap: Trap) -> RunOutcome {
        if case .exit(let code) = trap.kind { return .exited(code: code) }
        return .trapped(trap)
    }

    let instance: Instance
    do {
        instance = try linker.instantiate(module, store: store)
    } catch {
        if case .trap(let trap) = error { return outcome(of: trap) }
        return .failed(error.description)
    }

    do {
        guard let name = options.invoke else {
            guard let start = instance.function("_start") else {
                return .failed("module has no _start function (a reactor? use --invoke NAME)")
            }
            _ = try start.invoke([])
            return .exited(code: 0)
        }
        if let initialize = instance.function("_initialize") {
            _ = try initialize.invoke([])
        }
        guard let function = instance.function(name) else {
            return .failed("module has no exported function '\(name)'")
        }
        let parameters: [Value]
        do {
            parameters = try parseValues(Array(arguments.dropFirst()), for: function.type.parameters)
        } catch {
            return .failed("\(name): \(error)")
        }
        return .returned(try function.invoke(parameters))
    } catch {
        return outcome(of: error)
    }
}

/// Why command-line values cannot be passed to an invoked function.
public struct ValueParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// Parses `texts` as values of `types` (for `--invoke`): integers in
/// decimal (negative or unsigned), floats as decimals, `nan`, `inf`.
public func parseValues(_ texts: [String], for types: [ValueType]) throws(ValueParseError) -> [Value] {
    guard texts.count == types.count else {
        throw ValueParseError(description: "expected \(types.count) argument(s), got \(texts.count)")
    }
    var values: [Value] = []
    for (text, type) in zip(texts, types) {
        let value: Value?
        switch type {
        case .i32: value = Int32(text).map(Value.init) ?? UInt32(text).map(Value.i32)
        case .i64: value = Int64(text).map(Value.init) ?? UInt64(text).map(Value.i64)
        case .f32: value = Float(text).map(Value.init)
        case .f64: value = Double(text).map(Value.init)
        default: value = nil
        }
        guard let value else {
            throw ValueParseError(description: "cannot pass '\(text)' as \(type)")
        }
        values.append(value)
    }
    return values
}
