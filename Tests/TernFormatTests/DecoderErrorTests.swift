import TernFormat
import TernTestSupport
import XCTest

/// Malformed modules: each must be rejected with the expected reason, at
/// the offset of the offending byte.
final class DecoderErrorTests: XCTestCase {
    private func assertMalformed(
        _ bytes: [UInt8], _ reason: String, at offset: Int,
        classification: MalformedError.Classification = .malformed,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let module = try decodeModule(bytes)
            XCTFail("decoded \(module.bytes.count) bytes, expected \(reason)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, MalformedError(reason, at: offset, classification: classification), file: file, line: line)
        }
    }

    /// Offset of the first byte of a module's first section's contents
    /// (header, id byte, one-byte size).
    private let contents = 10

    // MARK: Header and section framing

    func testHeader() {
        assertMalformed([], "unexpected end", at: 0)
        assertMalformed([0x00, 0x61, 0x73], "unexpected end", at: 0)
        assertMalformed([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00], "unexpected end", at: 4)
        assertMalformed([0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00], "magic header not detected", at: 0)
        assertMalformed([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], "unknown binary version", at: 4)
        assertMalformed([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00], "unknown binary version", at: 4)
    }

    func testSectionFraming() {
        assertMalformed(Wasm.header + [0x0D, 0x00], "malformed section id", at: 8)
        assertMalformed(Wasm.header + [0xFF, 0x00], "malformed section id", at: 8)
        assertMalformed(Wasm.header + [0x01], "unexpected end", at: 9)
        assertMalformed(Wasm.header + [0x01, 0x02, 0x00], "length out of bounds", at: 9)
        assertMalformed(Wasm.header + [0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "integer representation too long", at: 13)
        // Declared larger than its contents.
        assertMalformed(Wasm.module(Wasm.section(1, [0x00, 0x00])), "section size mismatch", at: contents + 1)
        // Declared smaller than its contents: the entry is cut at the section's end.
        assertMalformed(Wasm.header + [0x01, 0x02, 0x01, 0x60, 0x00, 0x00], "unexpected end of section or function", at: contents + 2)
    }

    func testSectionOrder() {
        let type = Wasm.section(1, vector: [Wasm.functionType([], [])])
        let function = Wasm.section(3, vector: [Wasm.u32(0)])
        let code = Wasm.section(10, vector: [Wasm.body([0x0B])])
        let element = Wasm.section(9, vector: [])
        let dataCount = Wasm.section(12, Wasm.u32(0))
        let custom = Wasm.customSection("c", [])

        assertMalformed(Wasm.module(type, type), "unexpected content after last section", at: 8 + type.count)
        assertMalformed(Wasm.module(type, code, function), "unexpected content after last section",
                        at: 8 + type.count + code.count)
        // The data count section goes after the element and before the code section.
        assertMalformed(Wasm.module(dataCount, element), "unexpected content after last section", at: 8 + dataCount.count)
        assertMalformed(Wasm.module(type, function, code, dataCount), "unexpected content after last section",
                        at: 8 + type.count + function.count + code.count)
        XCTAssertNoThrow(try decodeModule(Wasm.module(custom, type, custom, function, element, custom, dataCount, code, custom)))
    }

    // MARK: Entries

    func testTypes() {
        assertMalformed(Wasm.module(Wasm.section(1, [0x01, 0x61, 0x00, 0x00])), "malformed function type", at: contents + 1)
        // The form is read as a signed LEB128, as in the spec interpreter.
        assertMalformed(Wasm.module(Wasm.section(1, [0x01, 0xE0, 0x7F, 0x00, 0x00])),
                        "integer representation too long", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(1, [0x01, 0x60, 0x01, 0x40, 0x00])), "malformed value type", at: contents + 3)
        assertMalformed(Wasm.module(Wasm.section(1, [0x05, 0x60, 0x00, 0x00])), "length out of bounds", at: contents)
        assertMalformed(Wasm.module(Wasm.section(1, [0x01, 0x60, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00])),
                        "integer too large", at: contents + 6)
    }

    func testImportsAndExports() {
        let prefix = Wasm.name("m") + Wasm.name("f")
        assertMalformed(Wasm.module(Wasm.section(2, vector: [prefix + [0x04, 0x00]])), "malformed import kind",
                        at: contents + 1 + prefix.count)
        assertMalformed(Wasm.module(Wasm.section(2, vector: [[0x02, 0xC3, 0x28] + Wasm.name("f") + [0x00, 0x00]])),
                        "malformed UTF-8 encoding", at: contents + 2)
        assertMalformed(Wasm.module(Wasm.section(2, vector: [prefix + [0x03, 0x7F, 0x02]])), "malformed mutability",
                        at: contents + 1 + prefix.count + 2)
        assertMalformed(Wasm.module(Wasm.section(2, vector: [prefix + [0x01, 0x7F, 0x00, 0x00]])),
                        "malformed reference type", at: contents + 1 + prefix.count + 1)
        assertMalformed(Wasm.module(Wasm.section(7, vector: [Wasm.name("e") + [0x04, 0x00]])), "malformed export kind",
                        at: contents + 3)
        assertMalformed(Wasm.module(Wasm.section(7, vector: [[0x09] + Wasm.name("e")])), "length out of bounds",
                        at: contents + 2)
    }

    func testLimits() {
        assertMalformed(Wasm.module(Wasm.section(5, [0x01, 0x02, 0x00])), "integer too large", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(5, [0x01, 0x81, 0x00, 0x00, 0x00])),
                        "integer representation too long", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(4, [0x01, 0x70, 0x03, 0x00, 0x00])), "integer too large", at: contents + 2)
        assertMalformed(Wasm.module(Wasm.section(5, [0x01, 0x01, 0x00])), "unexpected end of section or function",
                        at: contents + 3)
        assertMalformed(Wasm.module(Wasm.section(5, [0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F])),
                        "integer too large", at: contents + 6)
    }

    /// Constant expressions are rejected with the validator's messages (see
    /// `readConstExpression`).
    func testConstantExpressions() {
        func global(_ expression: [UInt8]) -> [UInt8] {
            Wasm.module(Wasm.section(6, vector: [[0x7F, 0x00] + expression]))
        }
        let start = contents + 3
        assertMalformed(global([0x0B]), "type mismatch", at: start, classification: .invalid)
        assertMalformed(global([0x41, 0x00, 0x41, 0x01, 0x0B]), "type mismatch", at: start, classification: .invalid)
        assertMalformed(global([0x01, 0x0B]), "constant expression required", at: start, classification: .invalid)
        assertMalformed(global([0x41, 0x00, 0x41, 0x01, 0x6A, 0x0B]), "constant expression required", at: start + 4,
                        classification: .invalid)
        assertMalformed(global([0x41, 0x00]), "unexpected end of section or function", at: start + 2)
        assertMalformed(global([0xD0, 0x7F, 0x0B]), "malformed reference type", at: start + 1)
        assertMalformed(global([0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0B]), "integer too large", at: start + 5)
        assertMalformed(global([0x43, 0x00, 0x00, 0x0B]), "unexpected end of section or function", at: start + 1)
        assertMalformed(global([0xFD, 0x0C] + [UInt8](repeating: 0, count: 16) + [0x0B]),
                        "simd", at: start, classification: .unsupportedFeature)
    }

    func testElementSegments() {
        let offset = Wasm.i32Const(0)
        assertMalformed(Wasm.module(Wasm.section(9, vector: [[0x08] + offset + Wasm.vector([])])),
                        "malformed elements segment kind", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(9, vector: [[0x01, 0x01] + Wasm.vector([])])),
                        "malformed element kind", at: contents + 2)
        assertMalformed(Wasm.module(Wasm.section(9, vector: [[0x05, 0x7F] + Wasm.vector([])])),
                        "malformed reference type", at: contents + 2)
        assertMalformed(Wasm.module(Wasm.section(9, vector: [[0x05, 0x70] + Wasm.vector([[0x0B]])])),
                        "type mismatch", at: contents + 4, classification: .invalid)
        assertMalformed(Wasm.module(Wasm.section(9, vector: [[0x00] + offset + [0x02, 0x00]])),
                        "unexpected end of section or function", at: contents + 7)
    }

    func testDataSegments() {
        assertMalformed(Wasm.module(Wasm.section(11, vector: [[0x03] + Wasm.vector([])])),
                        "malformed data segment kind", at: contents + 1)
        // A length past the end is a truncation, as in the spec interpreter.
        assertMalformed(Wasm.module(Wasm.section(11, vector: [[0x01, 0x03, 0x61, 0x62]])),
                        "unexpected end of section or function", at: contents + 3)
    }

    // MARK: Code

    func testFunctionAndCodeCounts() {
        let type = Wasm.section(1, vector: [Wasm.functionType([], [])])
        let oneFunction = Wasm.section(3, vector: [Wasm.u32(0)])
        let twoFunctions = Wasm.section(3, vector: [Wasm.u32(0), Wasm.u32(0)])
        let oneBody = Wasm.section(10, vector: [Wasm.body([0x0B])])
        let reason = "function and code section have inconsistent lengths"
        for bytes in [
            Wasm.module(type, oneFunction), Wasm.module(type, oneBody), Wasm.module(type, twoFunctions, oneBody),
        ] {
            assertMalformed(bytes, reason, at: bytes.count)
        }
        XCTAssertNoThrow(try decodeModule(Wasm.module(type, Wasm.section(3, vector: []), Wasm.section(10, vector: []))))
    }

    func testDataCount() {
        let reason = "data count and data section have inconsistent lengths"
        let passive = [UInt8]([0x01, 0x00])
        for bytes in [
            Wasm.module(Wasm.section(12, Wasm.u32(1))),
            Wasm.module(Wasm.section(12, Wasm.u32(1)), Wasm.section(11, vector: [passive, passive])),
            Wasm.module(Wasm.section(12, Wasm.u32(3)), Wasm.section(11, vector: [passive, passive])),
        ] {
            assertMalformed(bytes, reason, at: bytes.count)
        }
        XCTAssertNoThrow(try decodeModule(Wasm.module(Wasm.section(12, Wasm.u32(0)))))
        XCTAssertNoThrow(try decodeModule(Wasm.module(Wasm.section(11, vector: [passive]))))
    }

    func testTooManyLocals() {
        func module(_ locals: [(count: Int, type: ValueType)]) -> [UInt8] {
            Wasm.module(
                Wasm.section(1, vector: [Wasm.functionType([], [])]),
                Wasm.section(3, vector: [Wasm.u32(0)]),
                Wasm.section(10, vector: [Wasm.body(locals: locals, [0x0B])]))
        }
        let limit = Int(Module.maxLocalsPerFunction)
        // The offsets count back from the end of the module: the body is
        // last, and it ends with the local groups and `end`.
        let single = module([(limit + 1, .i32)])
        assertMalformed(single, "too many locals", at: single.count - 1 - 1 - Wasm.u32(limit + 1).count)
        let split = module([(limit, .i32), (1, .i64)])
        assertMalformed(split, "too many locals", at: split.count - 1 - 2)
        // Sums that would overflow 32 (or, unchecked, 64) bits.
        let huge = module(Array(repeating: (0xFFFF_FFFF, .f32), count: 5))
        assertMalformed(huge, "too many locals", at: huge.count - 1 - 6 * 5)
    }

    /// A body whose last byte is not `end`: the message depends on what
    /// follows the body, as in the spec interpreter.
    func testMissingEnd() {
        let type = Wasm.section(1, vector: [Wasm.functionType([], [])])
        let functions = Wasm.section(3, vector: [Wasm.u32(0), Wasm.u32(0)])
        let unterminated = Wasm.body([0x41, 0x01, 0x1A])
        let atEOF = Wasm.module(type, functions, Wasm.section(10, vector: [Wasm.body([0x0B]), unterminated]))
        assertMalformed(atEOF, "unexpected end of section or function", at: atEOF.count)
        let atSectionEnd = Wasm.module(type, functions, Wasm.section(10, vector: [Wasm.body([0x0B]), unterminated]),
                                       Wasm.customSection("c", []))
        assertMalformed(atSectionEnd, "section size mismatch", at: atEOF.count)
        let betweenBodies = Wasm.module(type, functions, Wasm.section(10, vector: [unterminated, Wasm.body([0x0B])]))
        assertMalformed(betweenBodies, "END opcode expected", at: betweenBodies.count - 3)
        let empty = Wasm.module(type, functions, Wasm.section(10, vector: [[0x01, 0x00], Wasm.body([0x0B])]))
        assertMalformed(empty, "END opcode expected", at: empty.count - 3)
    }

    func testBodyFraming() {
        let type = Wasm.section(1, vector: [Wasm.functionType([], [])])
        let function = Wasm.section(3, vector: [Wasm.u32(0)])
        let prefix = Wasm.module(type, function)
        // Body size beyond the section.
        assertMalformed(prefix + [0x0A, 0x03, 0x01, 0x05, 0x00], "length out of bounds", at: prefix.count + 3)
        // Empty body: no room for the local declarations.
        assertMalformed(prefix + [0x0A, 0x02, 0x01, 0x00], "unexpected end of section or function", at: prefix.count + 4)
        // Local group count beyond the body.
        assertMalformed(prefix + [0x0A, 0x04, 0x01, 0x02, 0x05, 0x0B], "length out of bounds", at: prefix.count + 4)
        assertMalformed(prefix + [0x0A, 0x06, 0x01, 0x04, 0x01, 0x01, 0x40, 0x0B], "malformed value type", at: prefix.count + 6)
    }

    func testCustomSections() {
        assertMalformed(Wasm.module(Wasm.section(0, [0x02, 0x80, 0x80])), "malformed UTF-8 encoding", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(0, [0x05, 0x61])), "length out of bounds", at: contents + 1)
        assertMalformed(Wasm.module(Wasm.section(0, [])), "unexpected end of section or function", at: contents)
    }
}
