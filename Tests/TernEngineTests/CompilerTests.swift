import Foundation
import TernFormat
import XCTest

@testable import TernEngine

final class CompilerTests: XCTestCase {
    private func compile(_ text: String) throws -> CompiledModule {
        try Engine().compile(try assemble(text))
    }

    /// The listing of defined function `index`.
    private func listing(_ text: String, function index: Int = 0) throws -> String {
        let module = try compile(text)
        return disassemble(module.code.function(index), wordCount: module.code.wordCount(index))
    }

    private func compileError(_ bytes: [UInt8]) -> CompileError? {
        do {
            _ = try Engine().compile(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// A module with one function of type [] -> [] whose body is `body`
    /// (without locals and the final end).
    private func moduleBytes(body: [UInt8], locals: [UInt8] = [0]) -> [UInt8] {
        let code = locals + body + [0x0B]
        return [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                0x03, 0x02, 0x01, 0x00,
                0x0A, UInt8(code.count + 2), 0x01, UInt8(code.count)] + code
    }

    func testLocalGetEmitsNothingAndResultsTargetLocals() throws {
        let code = try listing("""
            (module (func (param i32 i32) (result i32) (local i32)
              (local.set 2 (i32.add (local.get 0) (local.get 1)))
              (local.get 2)))
            """)
        XCTAssertEqual(code, """
            0: i32Add 2 0 1
            4: returnValue 2
            """)
    }

    func testConstantsBecomeImmediatesAndComparisonsFuseWithBranches() throws {
        let code = try listing("""
            (module (func (param i32) (result i32)
              (loop
                (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                (br_if 0 (i32.lt_s (local.get 0) (i32.const 100))))
              (local.get 0)))
            """)
        XCTAssertEqual(code, """
            0: i32AddImm 0 0 1
            4: brIfI32LtSImmBack 0 100 -4
            8: returnValue 0
            """)
    }

    func testIfWithoutElseFusesTheNegatedComparison() throws {
        let code = try listing("""
            (module (func (param i32) (result i32)
              (if (i32.ge_u (local.get 0) (i32.const 10)) (then (return (i32.const 1))))
              (i32.const 0)))
            """)
        XCTAssertEqual(code, """
            0: brIfI32LtUImm 0 10 9
            4: const32 1 1
            7: returnValue 1
            9: const32 1 0
            12: returnValue 1
            """)
    }

    func testConstantAddressDisplacementsFuseIntoMemoryAccess() throws {
        let code = try listing("""
            (module (memory 1) (func (param i32) (result i32)
              (i32.store8 offset=3 (i32.add (local.get 0) (i32.const 16)) (i32.const 7))
              (i32.load (i32.sub (local.get 0) (i32.const 4)))))
            """)
        XCTAssertEqual(code, """
            0: const32 2 7
            3: i32Store8Displaced 0 2 16 3
            8: i32LoadDisplaced 1 0 -4 0
            13: returnValue 1
            """)
    }

    func testEqzOfAComparisonNegatesIt() throws {
        let code = try listing("""
            (module (func (param i32 i32) (result i32)
              (if (i32.eqz (i32.lt_u (local.get 0) (local.get 1))) (then (return (i32.const 1))))
              (i32.eqz (i32.eq (local.get 0) (local.get 1)))))
            """)
        XCTAssertEqual(code, """
            0: brIfI32LtU 0 1 9
            4: const32 2 1
            7: returnValue 2
            9: i32Ne 2 0 1
            13: returnValue 2
            """)
    }

    func testConsecutiveCopiesMerge() throws {
        let code = try listing("""
            (module (func (param i32 i32 i32) (result i32)
              (local.set 0 (local.get 1))
              (local.set 1 (local.get 2))
              (local.set 2 (local.get 0))
              (local.get 2)))
            """)
        XCTAssertEqual(code, """
            0: copy2 0 1 1 2
            5: copy 2 0
            8: returnValue 2
            """)
    }

    func testCallArgumentsArePlacedAtTheFrameTop() throws {
        let code = try listing("""
            (module
              (func $f (param i32 i32) (result i32) (local.get 0))
              (func (param i32) (result i32)
                (call $f (local.get 0) (i32.const 5))))
            """, function: 1)
        let lines = code.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], "0: copy 1 0")
        XCTAssertEqual(lines[1], "3: const32 2 5")
        XCTAssertTrue(lines[2].hasPrefix("6: call "))
        XCTAssertTrue(lines[2].hasSuffix(" 1"))
        XCTAssertEqual(lines[3], "10: returnValue 1")
    }

    func testValidationErrors() throws {
        func reason(_ text: String) throws -> String? {
            do {
                _ = try compile(text)
                return nil
            } catch CompileError.invalid(let reason, _) {
                return reason
            }
        }
        XCTAssertEqual(try reason("(module (func (result i32) (i64.const 0)))"), "type mismatch")
        XCTAssertEqual(try reason("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))"), "global is immutable")
        XCTAssertEqual(try reason("(module (func (drop (ref.func 0))))"), "undeclared function reference")
        XCTAssertEqual(try reason("(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))"),
                       "alignment must not be larger than natural")
        XCTAssertEqual(try reason("(module (func $f (result i32) (unreachable) (i32.add)))"), nil)
        XCTAssertEqual(try reason("(module (func (block (result f64) (block (result f32) (unreachable) (br_table 0 1 1 (i32.const 1))) (drop) (f64.const 0)) (drop)))"), nil)
        XCTAssertEqual(try reason("(module (func (unreachable) (block (result i32))))"), "type mismatch")
        XCTAssertEqual(try reason("(module (func (select (ref.null func) (ref.null func) (i32.const 1)) (drop)))"), "type mismatch")
    }

    func testInvalidFunctionReportsItsIndexSpaceIndex() throws {
        let error = try XCTUnwrap(compileError(try assemble("""
            (module (import "m" "f" (func)) (func) (func (result i32) (f32.const 0)))
            """)))
        XCTAssertEqual(error, .invalid(reason: "type mismatch", functionIndex: 2))
    }

    func testMalformedBodies() {
        guard case .malformed(let illegal)? = compileError(moduleBytes(body: [0xFF])) else { return XCTFail() }
        XCTAssertTrue(illegal.reason.hasPrefix("illegal opcode"))
        guard case .malformed(let zero)? = compileError(moduleBytes(body: [0x3F, 0x01, 0x1A])) else { return XCTFail() }
        XCTAssertEqual(zero.reason, "zero byte expected")
        XCTAssertEqual(compileError(moduleBytes(body: [0xFD, 0x0C])), .unsupported(feature: "simd"))
        guard case .malformed? = compileError(moduleBytes(body: [0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A])) else {
            return XCTFail("LEB overflow")
        }
    }
}
