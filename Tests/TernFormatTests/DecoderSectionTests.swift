import TernFormat
import TernTestSupport
import XCTest

/// Well-formed modules, one section (or encoding) at a time.
final class DecoderSectionTests: XCTestCase {
    func testEmptyModule() throws {
        let module = try decodeModule(Wasm.header)
        XCTAssertEqual(module.bytes, Wasm.header)
        XCTAssertTrue(module.types.isEmpty)
        XCTAssertTrue(module.codes.isEmpty)
        XCTAssertNil(module.start)
        XCTAssertNil(module.dataCount)
    }

    func testTypeSection() throws {
        let module = try decodeModule(Wasm.module(
            Wasm.section(1, vector: [
                Wasm.functionType([], []),
                Wasm.functionType([.i32, .i64, .f32, .f64], [.funcref, .externref]),
                Wasm.functionType([.v128], [.i32, .i32]),
            ])))
        XCTAssertEqual(module.types, [
            FunctionType(parameters: [], results: []),
            FunctionType(parameters: [.i32, .i64, .f32, .f64], results: [.funcref, .externref]),
            FunctionType(parameters: [.v128], results: [.i32, .i32]),
        ])
    }

    func testImportSection() throws {
        let module = try decodeModule(Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([.i32], [])]),
            Wasm.section(2, vector: [
                Wasm.name("env") + Wasm.name("f") + [0x00] + Wasm.u32(0),
                Wasm.name("env") + Wasm.name("t") + [0x01, 0x6F, 0x01] + Wasm.u32(1) + Wasm.u32(10),
                Wasm.name("env") + Wasm.name("m") + [0x02, 0x00] + Wasm.u32(2),
                Wasm.name("ünï") + Wasm.name("g") + [0x03, 0x7E, 0x01],
            ])))
        XCTAssertEqual(module.imports, [
            Import(module: "env", name: "f", descriptor: .function(typeIndex: 0)),
            Import(module: "env", name: "t", descriptor: .table(
                TableType(elementType: .externref, limits: Limits(min: 1, max: 10)))),
            Import(module: "env", name: "m", descriptor: .memory(MemoryType(limits: Limits(min: 2)))),
            Import(module: "ünï", name: "g", descriptor: .global(GlobalType(valueType: .i64, isMutable: true))),
        ])
        XCTAssertEqual(module.importedFunctionTypes, [0])
        XCTAssertEqual(module.allGlobalTypes, [GlobalType(valueType: .i64, isMutable: true)])
    }

    func testFunctionTableMemoryAndGlobalSections() throws {
        let module = try decodeModule(Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([], []), Wasm.functionType([.i32], [.i32])]),
            Wasm.section(3, vector: [Wasm.u32(1), Wasm.u32(0)]),
            Wasm.section(4, vector: [[0x70, 0x00] + Wasm.u32(3), [0x6F, 0x01, 0x00] + Wasm.u32(0xFFFF_FFFF)]),
            Wasm.section(5, vector: [[0x01] + Wasm.u32(1) + Wasm.u32(65536)]),
            Wasm.section(6, vector: [
                [0x7F, 0x00] + Wasm.i32Const(-5),
                [0x7E, 0x01, 0x42] + Wasm.signed(Int64.min) + [0x0B],
                [0x7D, 0x00, 0x43, 0x00, 0x00, 0xC0, 0x7F, 0x0B],  // f32 NaN
                [0x7C, 0x00, 0x44, 0x01, 0, 0, 0, 0, 0, 0xF0, 0x7F, 0x0B],  // f64 NaN with payload 1
                [0x70, 0x00, 0xD0, 0x70, 0x0B],
                [0x6F, 0x00, 0xD0, 0x6F, 0x0B],
                [0x70, 0x00, 0xD2, 0x01, 0x0B],
                [0x7F, 0x00, 0x23, 0x00, 0x0B],
            ]),
            Wasm.section(10, vector: [Wasm.body([0x0B]), Wasm.body([0x0B])])))
        XCTAssertEqual(module.functions, [1, 0])
        XCTAssertEqual(module.tables, [
            TableType(elementType: .funcref, limits: Limits(min: 3)),
            TableType(elementType: .externref, limits: Limits(min: 0, max: 0xFFFF_FFFF)),
        ])
        XCTAssertEqual(module.memories, [MemoryType(limits: Limits(min: 1, max: 65536))])
        XCTAssertEqual(module.globals.map(\.initializer), [
            .i32(-5), .i64(Int64.min), .f32(bits: 0x7FC0_0000), .f64(bits: 0x7FF0_0000_0000_0001),
            .refNull(.funcref), .refNull(.externref), .refFunc(functionIndex: 1), .globalGet(globalIndex: 0),
        ])
        XCTAssertEqual(module.globals.map(\.type), [
            GlobalType(valueType: .i32, isMutable: false), GlobalType(valueType: .i64, isMutable: true),
            GlobalType(valueType: .f32, isMutable: false), GlobalType(valueType: .f64, isMutable: false),
            GlobalType(valueType: .funcref, isMutable: false), GlobalType(valueType: .externref, isMutable: false),
            GlobalType(valueType: .funcref, isMutable: false), GlobalType(valueType: .i32, isMutable: false),
        ])
    }

    func testExportAndStartSections() throws {
        let module = try decodeModule(Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([], [])]),
            Wasm.section(3, vector: [Wasm.u32(0)]),
            Wasm.section(7, vector: [
                Wasm.name("run") + [0x00] + Wasm.u32(0),
                Wasm.name("table") + [0x01] + Wasm.u32(7),
                Wasm.name("") + [0x02] + Wasm.u32(0),
                Wasm.name("run") + [0x03] + Wasm.u32(300),  // duplicates are the validator's business
            ]),
            Wasm.section(8, Wasm.u32(0)),
            Wasm.section(10, vector: [Wasm.body([0x0B])])))
        XCTAssertEqual(module.exports, [
            Export(name: "run", kind: .function, index: 0),
            Export(name: "table", kind: .table, index: 7),
            Export(name: "", kind: .memory, index: 0),
            Export(name: "run", kind: .global, index: 300),
        ])
        XCTAssertEqual(module.start, 0)
    }

    func testElementSegmentEncodings() throws {
        let offset = Wasm.i32Const(2)
        let functionIndices = Wasm.vector([Wasm.u32(0), Wasm.u32(1)])
        let expressions = Wasm.vector([[0xD2, 0x01, 0x0B], [0xD0, 0x70, 0x0B]])
        let externExpressions = Wasm.vector([[0xD0, 0x6F, 0x0B]])
        let module = try decodeModule(Wasm.module(
            Wasm.section(9, vector: [
                [0x00] + offset + functionIndices,
                [0x01, 0x00] + functionIndices,
                [0x02] + Wasm.u32(3) + offset + [0x00] + functionIndices,
                [0x03, 0x00] + functionIndices,
                [0x04] + offset + expressions,
                [0x05, 0x6F] + externExpressions,
                [0x06] + Wasm.u32(1) + offset + [0x70] + expressions,
                [0x07, 0x70] + expressions,
            ])))
        let functions: [ConstExpression] = [.refFunc(functionIndex: 0), .refFunc(functionIndex: 1)]
        let expressionItems: [ConstExpression] = [.refFunc(functionIndex: 1), .refNull(.funcref)]
        XCTAssertEqual(module.elements, [
            ElementSegment(type: .funcref, items: functions, mode: .active(tableIndex: 0, offset: .i32(2))),
            ElementSegment(type: .funcref, items: functions, mode: .passive),
            ElementSegment(type: .funcref, items: functions, mode: .active(tableIndex: 3, offset: .i32(2))),
            ElementSegment(type: .funcref, items: functions, mode: .declarative),
            ElementSegment(type: .funcref, items: expressionItems, mode: .active(tableIndex: 0, offset: .i32(2))),
            ElementSegment(type: .externref, items: [.refNull(.externref)], mode: .passive),
            ElementSegment(type: .funcref, items: expressionItems, mode: .active(tableIndex: 1, offset: .i32(2))),
            ElementSegment(type: .funcref, items: expressionItems, mode: .declarative),
        ])
    }

    func testDataSegmentEncodingsAndDataCount() throws {
        let module = try decodeModule(Wasm.module(
            Wasm.section(5, vector: [[0x00, 0x01]]),
            Wasm.section(12, Wasm.u32(3)),
            Wasm.section(11, vector: [
                [0x00] + Wasm.i32Const(8) + Wasm.vector([[0x61], [0x62]]),
                [0x01] + Wasm.vector([]),
                [0x02] + Wasm.u32(0) + [0x23, 0x00, 0x0B] + Wasm.vector([[0xFF]]),
            ])))
        XCTAssertEqual(module.dataCount, 3)
        XCTAssertEqual(module.data, [
            DataSegment(bytes: [0x61, 0x62], mode: .active(memoryIndex: 0, offset: .i32(8))),
            DataSegment(bytes: [], mode: .passive),
            DataSegment(bytes: [0xFF], mode: .active(memoryIndex: 0, offset: .globalGet(globalIndex: 0))),
        ])
    }

    func testCodeSectionLocalsAndRanges() throws {
        let bytes = Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([], [])]),
            Wasm.section(3, vector: [Wasm.u32(0), Wasm.u32(0)]),
            Wasm.section(10, vector: [
                Wasm.body(locals: [(2, .i32), (1, .f64), (0, .externref)], [0x01, 0x0B]),
                Wasm.body([0x41, 0x0B, 0x1A, 0x0B]),  // `end` may also occur inside the body
            ]))
        let module = try decodeModule(bytes)
        XCTAssertEqual(module.codes.count, 2)
        XCTAssertEqual(module.codes[0].localGroups, [
            FunctionBody.LocalGroup(count: 2, type: .i32),
            FunctionBody.LocalGroup(count: 1, type: .f64),
            FunctionBody.LocalGroup(count: 0, type: .externref),
        ])
        XCTAssertEqual(Array(bytes[module.codes[0].codeRange]), [0x01, 0x0B])
        XCTAssertTrue(module.codes[1].localGroups.isEmpty)
        XCTAssertEqual(Array(bytes[module.codes[1].codeRange]), [0x41, 0x0B, 0x1A, 0x0B])
    }

    func testLocalsUpToTheLimit() throws {
        let half = Int(Module.maxLocalsPerFunction / 2)
        let remainder = Int(Module.maxLocalsPerFunction) - half
        let module = try decodeModule(Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([], [])]),
            Wasm.section(3, vector: [Wasm.u32(0)]),
            Wasm.section(10, vector: [Wasm.body(locals: [(half, .i32), (remainder, .i64)], [0x0B])])))
        let total = module.codes[0].localGroups.reduce(0) { $0 + UInt64($1.count) }
        XCTAssertEqual(total, Module.maxLocalsPerFunction)
    }

    func testCustomSectionsAnywhere() throws {
        let bytes = Wasm.module(
            Wasm.customSection("first", [1, 2, 3]),
            Wasm.section(1, vector: [Wasm.functionType([], [])]),
            Wasm.customSection("", []),
            Wasm.section(3, vector: [Wasm.u32(0)]),
            Wasm.section(10, vector: [Wasm.body([0x0B])]),
            Wasm.customSection("last", [9]))
        let module = try decodeModule(bytes)
        XCTAssertEqual(module.customSections.map(\.name), ["first", "", "last"])
        XCTAssertEqual(module.customSections.map { Array(bytes[$0.payloadRange]) }, [[1, 2, 3], [], [9]])
    }

    func testNameSection() throws {
        let payload = Wasm.section(0, Wasm.name("demo"))
            + Wasm.section(1, Wasm.vector([Wasm.u32(0) + Wasm.name("main"), Wasm.u32(2) + Wasm.name("λ")]))
            + Wasm.section(2, [0x00])  // local names: skipped
        let module = try decodeModule(Wasm.module(Wasm.customSection("name", payload)))
        XCTAssertEqual(module.names, NameMap(moduleName: "demo", functionNames: [0: "main", 2: "λ"]))
        XCTAssertEqual(module.functionName(2), "λ")
        XCTAssertNil(module.functionName(1))
    }

    /// A malformed name section is ignored: the module still decodes, with
    /// no names at all (not a partial set).
    func testMalformedNameSectionsAreIgnored() throws {
        let moduleName = Wasm.section(0, Wasm.name("demo"))
        let malformedPayloads: [[UInt8]] = [
            moduleName + [0x01, 0x05],  // subsection size past the end
            moduleName + Wasm.section(1, Wasm.vector([Wasm.u32(0) + [0x01, 0xFF]])),  // bad UTF-8
            moduleName + Wasm.section(0, Wasm.name("again")),  // repeated subsection
            Wasm.section(1, Wasm.vector([Wasm.u32(3) + Wasm.name("a"), Wasm.u32(3) + Wasm.name("b")])),
            Wasm.section(0, Wasm.name("demo") + [0x00]),  // subsection size mismatch
            Wasm.section(1, [0x85, 0x80, 0x80, 0x80, 0x80, 0x00]),  // over-long count
        ]
        for payload in malformedPayloads {
            let module = try decodeModule(Wasm.module(Wasm.customSection("name", payload)))
            XCTAssertEqual(module.names, NameMap(), "\(payload)")
            XCTAssertEqual(module.customSections.map(\.name), ["name"])
        }
    }

    func testConstantExpressionEncodings() throws {
        let cases: [([UInt8], ConstExpression)] = [
            ([0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x0B], .i32(Int32.min)),
            ([0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x0B], .i32(Int32.max)),
            ([0x42, 0x7F, 0x0B], .i64(-1)),
            ([0x43, 0x00, 0x00, 0x80, 0xBF, 0x0B], .f32(bits: 0xBF80_0000)),
            ([0x44, 1, 2, 3, 4, 5, 6, 7, 8, 0x0B], .f64(bits: 0x0807_0605_0403_0201)),
        ]
        for (expression, expected) in cases {
            let module = try decodeModule(Wasm.module(Wasm.section(6, vector: [[0x7F, 0x00] + expression])))
            XCTAssertEqual(module.globals.first?.initializer, expected)
        }
    }
}
