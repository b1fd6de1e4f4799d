import Foundation
import TernFormat
import TernTestSupport
import XCTest

/// Runs the decoder over every module of the Wasm 2.0 spec testsuite
/// (`TestEnvironment.specTestsuiteDirectory`, converted with wast2json),
/// SIMD scripts included. Only decoding is checked; the spec-test runner
/// checks the rest.
final class DecoderSpecSuiteTests: XCTestCase {
    func testSpecTestsuiteModules() throws {
        let suite = TestEnvironment.specTestsuiteDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: suite.path) else {
            throw TestEnvironment.unavailable("the spec testsuite at \(suite.path)")
        }
        let scripts = names.filter { $0.hasSuffix(".wast") }.sorted()
        XCTAssertFalse(scripts.isEmpty, "no .wast files in \(suite.path)")
        let temporary = try TemporaryDirectory()
        var tally = Tally()
        for script in scripts {
            let commands = try Wast2Json.convert(suite.appendingPathComponent(script), into: temporary.url)
            for command in commands {
                try check(command, script: script, tally: &tally)
            }
        }
        // Guards against a conversion that silently produced nothing.
        XCTAssertGreaterThan(tally.wellFormed, 1000)
        XCTAssertGreaterThan(tally.malformed, 100)
    }

    private struct Tally {
        var wellFormed = 0
        var malformed = 0
    }

    private func check(_ command: WastCommand, script: String, tally: inout Tally) throws {
        let location = "\(script):\(command.line)"
        switch (command.type, command.moduleType) {
        case ("module", _), ("assert_unlinkable", _), ("assert_uninstantiable", _):
            tally.wellFormed += 1
            do {
                _ = try decodeModule(try command.moduleBytes())
            } catch let error as MalformedError {
                // `v128.const` in a constant expression has no representation.
                XCTAssertEqual(error.classification, .unsupportedFeature, "\(location): \(error)")
                XCTAssert(script.hasPrefix("simd_"), "\(location): \(error)")
            }
        case ("assert_invalid", _):
            tally.wellFormed += 1
            do {
                _ = try decodeModule(try command.moduleBytes())
            } catch let error as MalformedError {
                // Constant expressions are checked while decoding, with the
                // validator's messages; any other rejection is a decoder bug.
                XCTAssertEqual(error.reason, command.text, "\(location): \(error)")
                XCTAssertEqual(error.classification, .invalid, "\(location): \(error)")
            }
        case ("assert_malformed", "binary"):
            tally.malformed += 1
            try checkMalformed(command, script: script, location: location)
        default:
            break  // Actions, assertions on results, and text-format modules.
        }
    }

    /// The spec's binary-format error cases must be rejected with the
    /// expected message (by prefix, as the spec interpreter's runner
    /// compares), except the known deviations below.
    private func checkMalformed(_ command: WastCommand, script: String, location: String) throws {
        let expected = command.text ?? ""
        let bytes = try command.moduleBytes()
        let result = Result { () throws(MalformedError) in try decodeModule(bytes) }
        if Self.bodyDefects[script]?.contains(command.line) == true {
            XCTAssertNoThrow(try result.get(), "\(location): the defect is in a body, expected \(expected)")
            return
        }
        switch result {
        case .success:
            XCTFail("\(location): decoded, expected \(expected)")
        case .failure(let error):
            let reason = Self.messageDeviations[script]?[command.line] ?? expected
            XCTAssert(error.reason.hasPrefix(reason), "\(location): expected \(reason), got \(error)")
        }
    }

    /// Cases whose defect is inside a function body (memory-instruction
    /// immediates, reserved zero bytes, `memory.init` without a data count
    /// section, ...): the decoder accepts them, the validator rejects them.
    private static let bodyDefects: [String: Set<Int>] = [
        "binary.wast": [
            483, 502, 521, 540, 620, 639, 658, 676, 695, 714, 733, 752, 857, 877, 897, 916, 935,
            955, 974, 993, 1011, 1029, 1205, 1227, 1817,
        ],
        "binary-leb128.wast": [405, 424, 443, 462, 731, 750, 769, 787, 806, 825, 844, 863, 988],
    ]

    /// Where the decoder's message differs from the spec interpreter's. The
    /// interpreter reads sections and bodies without bounding them, so its
    /// message for a count or LEB128 that runs past a section's end depends
    /// on the bytes that follow; Tern bounds every section and reports the
    /// truncation.
    private static let messageDeviations: [String: [Int: String]] = [
        "binary.wast": [
            1632: "unexpected end of section or function",
        ],
        "binary-leb128.wast": [348: "unexpected end of section or function"],
    ]
}
