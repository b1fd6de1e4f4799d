import TernFormat
import TernTestSupport
import XCTest

/// Modules produced by a real toolchain (wabt's wast2json) from text.
final class DecoderWastTests: XCTestCase {
    private static let source = """
        (module $demo
          (type $binary (func (param i32 i64) (result f32)))
          (import "env" "f" (func $imported (type $binary)))
          (import "env" "g" (global $g (mut i32)))
          (import "env" "tab" (table 1 10 funcref))
          (import "env" "mem" (memory 1 2))
          (table $ext 2 externref)
          (global $answer i32 (i32.const 42))
          (global $ref funcref (ref.func $add))
          (func $add (export "add") (param i32 i32) (result i32)
            (local i64 i64 f64)
            local.get 0
            local.get 1
            i32.add)
          (func $start)
          (start $start)
          (elem (i32.const 0) $add)
          (elem funcref (ref.func $add) (ref.null func))
          (elem declare func $start)
          (elem (table $ext) (i32.const 1) externref (ref.null extern))
          (data (i32.const 16) "hi")
          (data "passive"))
        """

    private func decodeSource(options: [String] = []) throws -> Module {
        let temporary = try TemporaryDirectory()
        let commands = try Wast2Json.convert(source: Self.source, named: "demo", into: temporary.url, options: options)
        let command = try XCTUnwrap(commands.first { $0.type == "module" })
        return try decodeModule(try command.moduleBytes())
    }

    func testRealModule() throws {
        let module = try decodeSource()
        XCTAssertEqual(module.imports.map(\.descriptor), [
            .function(typeIndex: 0),
            .global(GlobalType(valueType: .i32, isMutable: true)),
            .table(TableType(elementType: .funcref, limits: Limits(min: 1, max: 10))),
            .memory(MemoryType(limits: Limits(min: 1, max: 2))),
        ])
        XCTAssertEqual(module.types[0], FunctionType(parameters: [.i32, .i64], results: [.f32]))
        XCTAssertEqual(module.functions.count, 2)
        XCTAssertEqual(module.types[Int(module.functions[0])], FunctionType(parameters: [.i32, .i32], results: [.i32]))
        XCTAssertEqual(module.types[Int(module.functions[1])], FunctionType(parameters: [], results: []))
        XCTAssertEqual(module.tables, [TableType(elementType: .externref, limits: Limits(min: 2))])
        XCTAssertEqual(module.globals.map(\.initializer), [.i32(42), .refFunc(functionIndex: 1)])
        XCTAssertEqual(module.exports, [Export(name: "add", kind: .function, index: 1)])
        XCTAssertEqual(module.start, 2)

        XCTAssertEqual(module.codes[0].localGroups, [
            FunctionBody.LocalGroup(count: 2, type: .i64), FunctionBody.LocalGroup(count: 1, type: .f64),
        ])
        XCTAssertEqual(Array(module.bytes[module.codes[0].codeRange]), [0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B])
        XCTAssertEqual(Array(module.bytes[module.codes[1].codeRange]), [0x0B])

        XCTAssertEqual(module.elements, [
            ElementSegment(type: .funcref, items: [.refFunc(functionIndex: 1)],
                           mode: .active(tableIndex: 0, offset: .i32(0))),
            ElementSegment(type: .funcref, items: [.refFunc(functionIndex: 1), .refNull(.funcref)], mode: .passive),
            ElementSegment(type: .funcref, items: [.refFunc(functionIndex: 2)], mode: .declarative),
            ElementSegment(type: .externref, items: [.refNull(.externref)],
                           mode: .active(tableIndex: 1, offset: .i32(1))),
        ])
        XCTAssertEqual(module.data, [
            DataSegment(bytes: Array("hi".utf8), mode: .active(memoryIndex: 0, offset: .i32(16))),
            DataSegment(bytes: Array("passive".utf8), mode: .passive),
        ])
        XCTAssertEqual(module.names, NameMap())
    }

    func testDebugNames() throws {
        let module = try decodeSource(options: ["--debug-names"])
        XCTAssertEqual(module.names.moduleName, "demo")
        XCTAssertEqual(module.names.functionNames, [0: "imported", 1: "add", 2: "start"])
        XCTAssertTrue(module.customSections.contains { $0.name == "name" })
    }

    /// Padded (5-byte) LEB128 sizes and counts decode to the same module.
    func testNonCanonicalLEB128() throws {
        let canonical = try decodeSource()
        let padded = try decodeSource(options: ["--no-canonicalize-leb128s"])
        XCTAssertGreaterThan(padded.bytes.count, canonical.bytes.count)
        XCTAssertEqual(padded.types, canonical.types)
        XCTAssertEqual(padded.imports, canonical.imports)
        XCTAssertEqual(padded.functions, canonical.functions)
        XCTAssertEqual(padded.globals, canonical.globals)
        XCTAssertEqual(padded.elements, canonical.elements)
        XCTAssertEqual(padded.data, canonical.data)
        XCTAssertEqual(padded.codes.map { Array(padded.bytes[$0.codeRange]) },
                       canonical.codes.map { Array(canonical.bytes[$0.codeRange]) })
    }
}
