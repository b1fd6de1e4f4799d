import Foundation
import TernEngine
import TernFormat

/// The state of one script being run: its engine, store and linker (with
/// the `spectest` host module), and the instances its modules produced.
final class SpecTestSession {
    private let directory: URL
    private let engine: Engine
    let store: Store
    private let linker = Linker()
    /// The latest `module` command's instance; nil when it failed to load.
    private var currentInstance: Instance?
    /// Instances by `$id`.
    private var namedInstances: [String: Instance] = [:]

    init(directory: URL, configuration: EngineConfiguration, hostOutput: @escaping (String) -> Void) throws(InstantiationError) {
        self.directory = directory
        engine = Engine(configuration: configuration)
        store = Store(engine: engine)
        try SpectestHostModule.define(in: linker, store: store, output: hostOutput)
    }

    /// Runs one command; returns normally iff it passed.
    func execute(_ command: SpecCommand) throws(CommandFailure) {
        switch command.type {
        case "module":
            try loadModule(command)
        case "register":
            let instance = try instance(named: command.name)
            linker.define(module: try required(command.as, "as"), instance: instance)
        case "action":
            _ = try results(of: try required(command.action, "action"))
        case "assert_return":
            try assertReturn(try required(command.action, "action"), expected: command.expected ?? [])
        case "assert_trap", "assert_exhaustion":
            if let action = command.action {
                try assertTrap(action, message: command.text)
            } else {
                try assertUninstantiable(command)
            }
        case "assert_uninstantiable":
            try assertUninstantiable(command)
        case "assert_unlinkable":
            try assertUnlinkable(command)
        case "assert_invalid":
            try assertCompileFails(command, expected: "an invalid module") { if case .invalid = $0 { true } else { false } }
        case "assert_malformed" where command.moduleType == "text":
            // These test a text parser, which Tern does not have; like
            // spectest-interp, count them as passed.
            return
        case "assert_malformed":
            try assertCompileFails(command, expected: "a malformed module") { if case .malformed = $0 { true } else { false } }
        default:
            throw CommandFailure("unknown command type \"\(command.type)\"")
        }
    }

    // MARK: Modules

    private func loadModule(_ command: SpecCommand) throws(CommandFailure) {
        currentInstance = nil
        if let name = command.name { namedInstances[name] = nil }
        let module = try compile(command).get(orFail: "module failed to compile")
        let instance = try instantiate(module).get(orFail: "module failed to instantiate")
        currentInstance = instance
        if let name = command.name { namedInstances[name] = instance }
    }

    private func assertCompileFails(_ command: SpecCommand, expected: String, isExpected: (CompileError) -> Bool) throws(CommandFailure) {
        switch try compile(command) {
        case .success:
            throw CommandFailure("expected \(expected), but it compiled")
        case .failure(let error) where !isExpected(error):
            throw CommandFailure("expected \(expected), got \(error)")
        case .failure:
            return
        }
    }

    private func assertUnlinkable(_ command: SpecCommand) throws(CommandFailure) {
        let module = try compile(command).get(orFail: "module failed to compile")
        switch instantiate(module) {
        case .success:
            throw CommandFailure("expected an unlinkable module, but it instantiated")
        case .failure(.unlinkable):
            return
        case .failure(let error):
            throw CommandFailure("expected an unlinkable module, got \(error)")
        }
    }

    private func assertUninstantiable(_ command: SpecCommand) throws(CommandFailure) {
        let module = try compile(command).get(orFail: "module failed to compile")
        switch instantiate(module) {
        case .success:
            throw CommandFailure("expected instantiation to trap, but it succeeded")
        case .failure(.trap(let trap)):
            try check(trap, against: command.text)
        case .failure(let error):
            throw CommandFailure("expected instantiation to trap, got \(error)")
        }
    }

    private func compile(_ command: SpecCommand) throws(CommandFailure) -> Result<CompiledModule, CompileError> {
        let filename = try required(command.filename, "filename")
        let url = directory.appendingPathComponent(filename)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandFailure("cannot read \(url.path)")
        }
        let bytes = [UInt8](data)
        return Result { () throws(CompileError) in try engine.compile(bytes) }
    }

    private func instantiate(_ module: CompiledModule) -> Result<Instance, InstantiationError> {
        Result { () throws(InstantiationError) in try linker.instantiate(module, store: store) }
    }

    // MARK: Actions

    private func assertReturn(_ action: SpecAction, expected: [SpecValue]) throws(CommandFailure) {
        let results = try results(of: action)
        let expectations = try expected.map { (value) throws(CommandFailure) in try value.expectation() }
        guard results.count == expectations.count,
              zip(expectations, results).allSatisfy({ $0.matches($1) })
        else {
            let wanted = "(" + expectations.map(\.description).joined(separator: ", ") + ")"
            throw CommandFailure("expected \(wanted), got \(describe(results))")
        }
    }

    private func assertTrap(_ action: SpecAction, message: String?) throws(CommandFailure) {
        switch try perform(action) {
        case .success(let results):
            throw CommandFailure("expected a trap, got \(describe(results))")
        case .failure(let trap):
            try check(trap, against: message)
        }
    }

    /// The results of an action that must not trap.
    private func results(of action: SpecAction) throws(CommandFailure) -> [Value] {
        switch try perform(action) {
        case .success(let values): return values
        case .failure(let trap): throw CommandFailure("unexpected \(trap)")
        }
    }

    /// Runs an action; a trap is its outcome, anything that keeps it from
    /// running at all (unknown module or export, bad argument) is a failure.
    private func perform(_ action: SpecAction) throws(CommandFailure) -> Result<[Value], Trap> {
        let instance = try instance(named: action.module)
        switch action.type {
        case "invoke":
            guard let function = instance.function(action.field) else {
                throw CommandFailure("no exported function \"\(action.field)\"")
            }
            let arguments = try (action.args ?? []).map { (value) throws(CommandFailure) in try value.argument() }
            return Result { () throws(Trap) in try function.invoke(arguments) }
        case "get":
            guard let global = instance.global(action.field) else {
                throw CommandFailure("no exported global \"\(action.field)\"")
            }
            return .success([global.value])
        default:
            throw CommandFailure("unknown action type \"\(action.type)\"")
        }
    }

    /// The trap's message must agree with the script's (one may extend the
    /// other, as in "uninitialized element 2").
    private func check(_ trap: Trap, against expected: String?) throws(CommandFailure) {
        let actual = trap.kind.description
        guard let expected else { return }
        guard !actual.isEmpty, actual.hasPrefix(expected) || expected.hasPrefix(actual) else {
            throw CommandFailure("expected trap \"\(expected)\", got \"\(actual)\"")
        }
    }

    private func instance(named name: String?) throws(CommandFailure) -> Instance {
        if let name {
            guard let instance = namedInstances[name] else {
                throw CommandFailure("no module named \(name) (it failed to load or was never defined)")
            }
            return instance
        }
        guard let currentInstance else {
            throw CommandFailure("no current module (the latest module failed to load, or there was none)")
        }
        return currentInstance
    }

    private func required<T>(_ field: T?, _ name: String) throws(CommandFailure) -> T {
        guard let field else { throw CommandFailure("command has no \"\(name)\"") }
        return field
    }
}

private extension Result {
    /// The success value, or a failure saying `context: <error>`.
    func get(orFail context: String) throws(CommandFailure) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw CommandFailure("\(context): \(error)")
        }
    }
}
