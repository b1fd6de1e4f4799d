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
    /// The module could not be run.
    case failed(RunFailure)

    /// The process exit status for `tern run`: the guest's code; 0 for a
    /// returned invocation; 1 for a trap or when the module could not be
    /// run, as for every other failure of a `tern` command (stderr says
    /// which).
    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .returned: 0
        case .trapped, .failed: 1
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .returned(let values): "returned (\(values.map(\.description).joined(separator: " ")))"
        case .trapped(let trap): trap.description
        case .failed(let failure): failure.description
        }
    }
}

/// Why `runCommand` could not run a module.
public enum RunFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The WASI context could not be set up (e.g. a `--dir` that cannot be
    /// opened).
    case setup(WASISetupError)
    /// An import is missing or mistyped, or a limit refuses the module.
    /// (A trap during instantiation is a `RunOutcome.trapped`.)
    case instantiation(InstantiationError)
    /// The export to invoke is not a function of the module.
    case noSuchFunction(String)
    /// A command run without `--invoke` has no `_start`.
    case noStartFunction
    /// The command-line values do not fit the invoked function's parameters.
    case arguments(function: String, ValueParseError)

    /// One line. Instantiation errors keep their own class as prefix
    /// (`unlinkable: env.f: unknown import`, `resource limit: ...`), as
    /// compile errors do (`malformed: ...`, `invalid: ...`); the others are
    /// `error: ...`.
    public var description: String {
        switch self {
        case .setup(let error): "error: \(error)"
        case .instantiation(let error): error.description
        case .noSuchFunction(let name): "error: module has no exported function '\(name)'"
        case .noStartFunction: "error: module has no _start function (a reactor? use --invoke NAME)"
        case .arguments(let function, let error): "error: \(function): \(error)"
        }
    }
}

/// Runs `module` as `tern run` does: a fresh store with `options.limits`, a
/// WASI context with `options`' capabilities and `arguments` as `argv`
/// (program name first), then
/// - a command: `_start`, whose `proc_exit` code (or 0) is the outcome;
/// - with `options.invoke`: `_initialize` if the module has it (a reactor),
///   then the named export with `arguments.dropFirst()` parsed as its
///   parameters by `parseValues`.
///
/// `options.limits.timeout` covers instantiation (the start function) and
/// the call together, through `DeadlineTimer.shared`. Denied calls are
/// recorded in `deniedCalls`.
public func runCommand(engine: Engine, module: CompiledModule, options: RunSandboxOptions, arguments: [String],
                       stdin: WASIInputSource = BytesInput(), stdout: WASIOutputSink, stderr: WASIOutputSink,
                       deniedCalls: DeniedCallLog = DeniedCallLog(function: "main")) -> RunOutcome {
    if let invoke = options.invoke, module.exports.first(where: { $0.name == invoke && $0.kind == .function }) == nil {
        return .failed(.noSuchFunction(invoke))
    }
    let wasi: WASI
    do {
        wasi = try WASI(configuration: options.wasiConfiguration(arguments: arguments), stdin: stdin,
                        stdout: stdout, stderr: stderr, deniedCalls: deniedCalls)
    } catch {
        return .failed(.setup(error))
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
        return .failed(.instantiation(error))
    }

    do {
        guard let name = options.invoke else {
            guard let start = instance.function("_start") else {
                return .failed(.noStartFunction)
            }
            _ = try start.invoke([])
            return .exited(code: 0)
        }
        if let initialize = instance.function("_initialize") {
            _ = try initialize.invoke([])
        }
        guard let function = instance.function(name) else {
            return .failed(.noSuchFunction(name))
        }
        let parameters: [Value]
        do {
            parameters = try parseValues(Array(arguments.dropFirst()), for: function.type.parameters)
        } catch {
            return .failed(.arguments(function: name, error))
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

/// Parses `texts` as values of `types` (for `--invoke`):
/// - integers in decimal, signed or unsigned (`-1` and `4294967295` are the
///   same i32), or hex with `0x` (and an optional `-`);
/// - floats in decimal, `inf`, `nan`, or `nan:0xPAYLOAD` for a NaN with that
///   significand, each with an optional sign;
/// - references: `null`, and for an externref its payload as a decimal.
public func parseValues(_ texts: [String], for types: [ValueType]) throws(ValueParseError) -> [Value] {
    guard texts.count == types.count else {
        throw ValueParseError(description: "expected \(types.count) argument(s), got \(texts.count)")
    }
    var values: [Value] = []
    for (index, (text, type)) in zip(texts, types).enumerated() {
        guard let value = parseValue(text, as: type) else {
            throw ValueParseError(description: "argument \(index + 1): '\(text)' is not a valid \(type)")
        }
        values.append(value)
    }
    return values
}

private func parseValue(_ text: String, as type: ValueType) -> Value? {
    switch type {
    case .i32: parseInteger(text, bitWidth: 32).map { .i32(UInt32($0)) }
    case .i64: parseInteger(text, bitWidth: 64).map { .i64($0) }
    case .f32: parseFloat(text, as: Float.self).map { .f32($0.bitPattern) }
    case .f64: parseFloat(text, as: Double.self).map { .f64($0.bitPattern) }
    case .funcref: text == "null" ? .funcRef(nil) : nil
    // `UInt64.max` is no payload: the engine reserves it to encode null.
    case .externref: text == "null" ? .externRef(nil) : UInt64(text).flatMap { $0 == .max ? nil : .externRef($0) }
    case .v128: nil
    }
}

/// The bit pattern of a `bitWidth`-bit integer written signed or unsigned,
/// in decimal or `0x` hex.
private func parseInteger(_ text: String, bitWidth: Int) -> UInt64? {
    var digits = Substring(text)
    let isNegative = digits.hasPrefix("-")
    if isNegative || digits.hasPrefix("+") { digits = digits.dropFirst() }
    let isHex = digits.hasPrefix("0x") || digits.hasPrefix("0X")
    if isHex { digits = digits.dropFirst(2) }
    // `UInt64(_:radix:)` alone would accept a second sign.
    guard let first = digits.first, first.isHexDigit,
          let magnitude = UInt64(digits, radix: isHex ? 16 : 10)
    else { return nil }
    let mask: UInt64 = bitWidth == 64 ? .max : (1 << bitWidth) - 1
    if isNegative {
        guard magnitude <= UInt64(1) << (bitWidth - 1) else { return nil }
        return (0 &- magnitude) & mask
    }
    return magnitude <= mask ? magnitude : nil
}

private func parseFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(_ text: String, as _: F.Type) -> F?
where F.RawSignificand: FixedWidthInteger {
    let sign: FloatingPointSign = text.hasPrefix("-") ? .minus : .plus
    let body = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
    let nanExponent = F.RawExponent((1 << F.exponentBitCount) - 1)
    if body == "nan" {
        let canonicalPayload = F.RawSignificand(1) << (F.significandBitCount - 1)
        return F(sign: sign, exponentBitPattern: nanExponent, significandBitPattern: canonicalPayload)
    }
    if body.hasPrefix("nan:0x") {
        guard let payload = F.RawSignificand(body.dropFirst(6), radix: 16),
              payload != 0, payload >> F.significandBitCount == 0
        else { return nil }
        return F(sign: sign, exponentBitPattern: nanExponent, significandBitPattern: payload)
    }
    // Swift's parser also takes `infinity`, `nan(...)` and `snan`, which
    // are not this syntax.
    guard body.first?.isNumber == true || body == "inf", let magnitude = F(String(body)) else { return nil }
    return sign == .minus ? -magnitude : magnitude
}
