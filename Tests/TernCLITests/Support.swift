import Foundation
import TernTestSupport
import XCTest

/// A test case with a fresh temporary directory, and modules and spec
/// scripts made in it with wabt.
class TemporaryDirectoryTestCase: XCTestCase {
    private var temporaryDirectory: TemporaryDirectory!
    var directory: URL { temporaryDirectory.url }

    override func setUpWithError() throws {
        temporaryDirectory = try TemporaryDirectory()
    }

    // XCTest keeps test case instances alive until the process ends, so the
    // directory is released here for its deinit to remove it.
    override func tearDown() {
        temporaryDirectory = nil
    }

    /// Assembles WebAssembly text into `NAME.wasm` with `wat2wasm`, with a
    /// name section; `validate: false` lets invalid code through.
    func assemble(_ source: String, name: String = "module", validate: Bool = true) throws -> URL {
        let flags = ["--debug-names"] + (validate ? [] : ["--no-check"])
        return try Wat2Wasm.assemble(source, name: name, into: directory, options: flags)
    }

    /// Converts a spec script with `wast2json` into `NAME.json` (and its
    /// modules) in the temporary directory.
    func convert(wast source: String, name: String) throws -> URL {
        _ = try Wast2Json.convert(source: source, named: name, into: directory)
        return directory.appendingPathComponent("\(name).json")
    }
}
