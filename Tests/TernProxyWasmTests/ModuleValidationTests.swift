import TernFormat
@testable import TernProxyWasm
import XCTest

/// Install-time checks of modules against what Tern provides.
final class ModuleValidationTests: XCTestCase {
    private func module(_ name: String) throws -> Module {
        try decodeModule(try Examples.bytes(name))
    }

    private func assertInvalid(_ module: Module, _ expected: String, file: StaticString = #filePath,
                               line: UInt = #line) {
        XCTAssertThrowsError(try ProxyWasmModule.validate(module), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testEveryExampleButUnknownImportIsValid() throws {
        let names = ["bad_pointers", "echo", "function_1", "function_2", "header_maps", "http_call", "infinite_loop",
                     "invoke_chain", "local_response", "metrics", "properties", "shared_data", "shared_queue",
                     "ticker", "trap"]
        for name in names {
            XCTAssertNoThrow(try ProxyWasmModule.validate(try module(name)), name)
        }
        assertInvalid(try module("unknown_import"), "unlinkable: env.proxy_foo: unknown import")
    }

    func testTheDeclaredABIVersionIsReported() throws {
        XCTAssertEqual(try ProxyWasmModule.validate(try module("function_1")), "proxy_abi_version_0_2_1")
        XCTAssertNil(try ProxyWasmModule.validate(try module("trap")))

        var layotto = try module("trap")
        try renameExport(in: &layotto, "proxy_get_id", to: "proxy_abi_version_0_2_0")
        XCTAssertEqual(try ProxyWasmModule.validate(layotto), "proxy_abi_version_0_2_0")
    }

    func testAnUnsupportedABIVersionIsRejected() throws {
        var old = try module("trap")
        try renameExport(in: &old, "proxy_get_id", to: "proxy_abi_version_0_1_0")
        assertInvalid(old, "invalid proxy-wasm module: proxy_abi_version_0_1_0 is not supported: "
                           + "Tern implements proxy-wasm ABI v0.2.1 (and v0.2.0)")
    }

    func testAnImportWithTheWrongTypeIsRejected() throws {
        var wrong = try module("function_2")
        let index = try XCTUnwrap(wrong.imports.firstIndex { $0.name == "proxy_log" })
        // Point the import at the type of a function taking no parameters.
        let noParameters = try XCTUnwrap(wrong.types.firstIndex { $0.parameters.isEmpty && $0.results.isEmpty })
        wrong.imports[index].descriptor = .function(typeIndex: UInt32(noParameters))
        assertInvalid(wrong, "unlinkable: env.proxy_log: incompatible import type: expected function () -> (), "
                             + "got (i32 i32 i32) -> (i32)")
    }

    func testImportsFromOtherModulesOrOfOtherKindsAreRejected() throws {
        var other = try module("function_2")
        other.imports[0].module = "layotto"
        assertInvalid(other, "unlinkable: layotto.\(other.imports[0].name): unknown import")

        var memory = try module("function_2")
        memory.imports.append(Import(module: "env", name: "memory",
                                     descriptor: .memory(MemoryType(limits: Limits(min: 1)))))
        assertInvalid(memory, "unlinkable: env.memory: unknown import")
    }

    func testAnyWASIFunctionIsAccepted() throws {
        var wasi = try module("function_1")
        let index = try XCTUnwrap(wasi.imports.firstIndex { $0.module == "wasi_snapshot_preview1" })
        wasi.imports[index].name = "a_call_from_the_future"
        XCTAssertNoThrow(try ProxyWasmModule.validate(wasi), "TernWASI answers ENOSYS to calls it lacks")
    }

    func testAModuleWithoutAllocatorIsRejected() throws {
        var noAllocator = try module("trap")
        try renameExport(in: &noAllocator, "proxy_on_memory_allocate", to: "my_allocate")
        assertInvalid(noAllocator, "invalid proxy-wasm module: missing export malloc or proxy_on_memory_allocate "
                                   + "of type (i32) -> (i32): the host allocates guest memory with it")
    }

    func testAModuleWithoutMemoryIsRejected() throws {
        var noMemory = try module("trap")
        noMemory.memories = []
        assertInvalid(noMemory, "invalid proxy-wasm module: the module defines no linear memory")
    }

    func testACallbackWithTheWrongSignatureIsRejected() throws {
        var wrong = try module("trap")
        // proxy_on_request_headers as in ABI v0.1.0, without end_of_stream.
        try renameExport(in: &wrong, "proxy_on_request_headers", to: "unused")
        try renameExport(in: &wrong, "proxy_on_memory_allocate", to: "proxy_on_request_headers")
        wrong.exports.append(Export(name: "malloc", kind: .function,
                                    index: try XCTUnwrap(wrong.exports.first { $0.name == "proxy_on_request_headers" })
                                        .index))
        assertInvalid(wrong, "invalid proxy-wasm module: export proxy_on_request_headers has type (i32) -> (i32), "
                             + "expected (i32 i32 i32) -> (i32)")
    }

    private func renameExport(in module: inout Module, _ name: String, to newName: String) throws {
        let index = try XCTUnwrap(module.exports.firstIndex { $0.name == name }, "no export \(name)")
        module.exports[index].name = newName
    }
}
