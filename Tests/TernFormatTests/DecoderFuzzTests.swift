import Foundation
import TernFormat
import TernTestSupport
import XCTest

/// Deterministic robustness test: the decoder must return a module or throw
/// a `MalformedError` for every input (a crash, trap or hang fails the whole
/// run), and what it returns must be internally consistent.
final class DecoderFuzzTests: XCTestCase {
    /// Mutants on top of the exhaustive truncations (about 7,000): together
    /// over 300,000 inputs, which take about 4 s in a debug build.
    private static let mutantCount = 300_000
    private static let randomSeed: UInt64 = 0x7E12_0DEC_0DE5_EED5

    func testDecoderOnMutatedModules() throws {
        let kernels = try TestEnvironment.benchmarkKernels()
        let seeds = kernels + ModuleMutator.handBuiltSeeds
        for seed in seeds {
            let module = try decodeModule(seed)
            checkInvariants(of: module)
        }

        var tally = Tally()
        for input in ModuleMutator.truncations(of: seeds) {
            decode(input, into: &tally)
        }
        for input in ModuleMutator(seeds: seeds, randomSeed: Self.randomSeed).prefix(Self.mutantCount) {
            decode(input, into: &tally)
        }

        XCTAssertGreaterThanOrEqual(tally.decoded + tally.rejected, 100_000)
        // Guards against a generator that only produces hopeless inputs.
        XCTAssertGreaterThan(tally.decoded, Self.mutantCount / 50)
        XCTAssertGreaterThan(tally.reasons.count, 20, "reasons seen: \(tally.reasons)")
    }

    /// Replaying the generator gives the same inputs, so a failure found by
    /// the test can be reproduced.
    func testMutatorIsDeterministic() {
        let seeds = ModuleMutator.handBuiltSeeds
        let first = Array(ModuleMutator(seeds: seeds, randomSeed: 1).prefix(200))
        let second = Array(ModuleMutator(seeds: seeds, randomSeed: 1).prefix(200))
        let other = Array(ModuleMutator(seeds: seeds, randomSeed: 2).prefix(200))
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, other)
    }

    private struct Tally {
        var decoded = 0
        var rejected = 0
        var reasons: [String: Int] = [:]
    }

    private func decode(_ input: [UInt8], into tally: inout Tally) {
        do {
            let module = try decodeModule(input)
            tally.decoded += 1
            checkInvariants(of: module)
        } catch {
            tally.rejected += 1
            tally.reasons[error.reason, default: 0] += 1
            if !(0...input.count).contains(error.offset) {
                XCTFail("\(error) is outside the \(input.count)-byte input \(input)")
            }
        }
    }

    /// What every decoded module guarantees to its consumers.
    private func checkInvariants(of module: Module) {
        let bytes = module.bytes.indices
        XCTAssertEqual(module.functions.count, module.codes.count)
        if let dataCount = module.dataCount {
            XCTAssertEqual(Int(dataCount), module.data.count)
        }
        for body in module.codes {
            XCTAssertTrue(bytes.contains(body.codeRange.lowerBound) && body.codeRange.upperBound <= bytes.upperBound)
            XCTAssertEqual(body.codeRange.last.map { module.bytes[$0] }, 0x0B)
            XCTAssertLessThanOrEqual(body.localGroups.reduce(0) { $0 + UInt64($1.count) }, Module.maxLocalsPerFunction)
        }
        for section in module.customSections {
            XCTAssertTrue(section.payloadRange.lowerBound >= 0 && section.payloadRange.upperBound <= bytes.upperBound)
        }
        // Every decoded entry takes at least one byte of input.
        let entries = module.types.count + module.imports.count + module.functions.count + module.tables.count
            + module.memories.count + module.globals.count + module.exports.count
            + module.elements.reduce(0) { $0 + 1 + $1.items.count } + module.codes.count
            + module.data.reduce(0) { $0 + 1 + $1.bytes.count }
        XCTAssertLessThanOrEqual(entries, module.bytes.count)
    }
}
