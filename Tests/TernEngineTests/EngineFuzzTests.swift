import TernEngine
import TernFormat
import TernTestSupport
import XCTest

/// Deterministic robustness test of everything that consumes an untrusted
/// binary: decode, validate, translate, instantiate, and run the start
/// function and every export under small fuel, depth, memory and table
/// limits. Each input must end in a value or a typed error (`CompileError`,
/// `InstantiationError`, `Trap`); a crash or hang fails the whole run.
final class EngineFuzzTests: XCTestCase {
    private static let mutantCount = 200_000
    private static let randomSeed: UInt64 = 0x7E12_E261_F022_5EED

    private let engine = Engine()
    private let limits = ResourceLimits(maxMemoryBytes: 4 << 20, maxTableElements: 1_000, maxCallDepth: 64, fuel: 20_000)

    func testEngineOnMutatedModules() throws {
        let seeds = try TestEnvironment.benchmarkKernels() + ModuleMutator.handBuiltSeeds
        var tally = Tally()
        for seed in seeds {
            run(seed, into: &tally)
        }
        XCTAssertEqual(tally.instantiated, seeds.count, "every seed module must instantiate: \(tally.errors)")

        for input in ModuleMutator(seeds: seeds, randomSeed: Self.randomSeed).prefix(Self.mutantCount) {
            run(input, into: &tally)
        }
        print("engine fuzz: \(tally)")
        XCTAssertGreaterThanOrEqual(tally.inputs, 100_000)
        // Guards against a generator whose outputs never reach the later stages.
        XCTAssertGreaterThan(tally.compiled, Self.mutantCount / 100, "\(tally)")
        XCTAssertGreaterThan(tally.instantiated, Self.mutantCount / 200, "\(tally)")
        XCTAssertGreaterThan(tally.invocations, Self.mutantCount / 200, "\(tally)")
    }

    private struct Tally: CustomStringConvertible {
        var inputs = 0
        var compiled = 0
        var instantiated = 0
        var invocations = 0
        var errors: [String: Int] = [:]

        mutating func count(_ error: some Error) {
            let kind = "\(error)".prefix { $0 != ":" }
            errors[String(kind), default: 0] += 1
        }

        var description: String {
            "\(inputs) inputs, \(compiled) compiled, \(instantiated) instantiated, \(invocations) invocations; errors \(errors)"
        }
    }

    private func run(_ input: [UInt8], into tally: inout Tally) {
        tally.inputs += 1
        let module: CompiledModule
        do {
            module = try engine.compile(input)
        } catch {
            tally.count(error)
            return
        }
        tally.compiled += 1
        let store = Store(engine: engine, limits: limits)
        let instance: Instance
        do {
            instance = try linker(for: store).instantiate(module, store: store)
        } catch {
            tally.count(error)
            return
        }
        tally.instantiated += 1
        for (_, extern) in instance.exports {
            guard case .function(let function) = extern else { continue }
            store.refuel()
            tally.invocations += 1
            do {
                _ = try function.invoke(function.type.parameters.map(Value.zero))
            } catch {
                tally.count(error)
            }
        }
    }

    /// The imports the hand-built seeds declare (`env.f`, `env.g`, `env.t`),
    /// so their mutants get past linking.
    private func linker(for store: Store) -> Linker {
        let linker = Linker()
        let functionType = FunctionType(parameters: [.i32, .i64], results: [.f32])
        linker.define(module: "env", name: "f", function: HostFunction(type: functionType) { _, _ in [Value(Float(1))] })
        linker.define(module: "env", name: "g", .global(Global(
            store: store, type: GlobalType(valueType: .i32, isMutable: false), value: Value(Int32(7)))))
        if let table = try? Table(store: store, type: TableType(elementType: .funcref, limits: Limits(min: 4, max: 10)),
                                  initialValue: .funcRef(nil)) {
            linker.define(module: "env", name: "t", .table(table))
        }
        return linker
    }
}
