import Foundation

/// Assembles WebAssembly text with wabt's `wat2wasm`; unavailable (see
/// `TestEnvironment.unavailable(_:)`) when the tool is missing.
public enum Wat2Wasm {
    /// Assembles `source` into `NAME.wasm` in `directory` (with `NAME.wat`
    /// beside it) and returns the module's URL. `options` are passed on
    /// (`--debug-names`, `--no-check`, ...). Throws `TestSetupError` when
    /// `wat2wasm` rejects the text.
    public static func assemble(
        _ source: String, name: String = "module", into directory: URL, options: [String] = []
    ) throws -> URL {
        let tool = try TestEnvironment.tool("wat2wasm")
        let watFile = directory.appendingPathComponent("\(name).wat")
        let wasmFile = directory.appendingPathComponent("\(name).wasm")
        try Data(source.utf8).write(to: watFile)
        let result = try runProcess(tool, [watFile.path, "-o", wasmFile.path] + options)
        guard result.status == 0 else {
            throw TestSetupError(message: "wat2wasm failed: \(result.stderr)\(result.stdout)")
        }
        return wasmFile
    }

    /// Assembles `source` in a scratch directory and returns the binary.
    public static func assemble(_ source: String, options: [String] = []) throws -> [UInt8] {
        let directory = try TemporaryDirectory()
        return [UInt8](try Data(contentsOf: try assemble(source, into: directory.url, options: options)))
    }
}

/// The WASI test programs (`Tests/Fixtures/wasi/NAME.c`), built once per
/// test run by `scripts/build-test-modules.sh` (which rebuilds only stale
/// ones) into `.build/test-modules`.
public enum WASIPrograms {
    public static let directory = TestEnvironment.repositoryRoot.appendingPathComponent(".build/test-modules")

    /// The script's exit status when the C toolchain for wasm32-wasi is missing.
    private static let toolsMissingStatus: Int32 = 77

    /// Compiling all programs on a busy machine can take a while.
    private static let buildTimeout = Duration.seconds(900)

    private static let built: Result<Void, any Error> = Result {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/build-test-modules.sh")
        let result = try runProcess(URL(fileURLWithPath: "/bin/sh"), [script.path, directory.path], timeout: buildTimeout)
        guard result.status != toolsMissingStatus else {
            let reason = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw TestEnvironment.unavailable("a C toolchain for wasm32-wasi (clang, lld, wasi-libc): \(reason)")
        }
        guard result.status == 0 else {
            throw TestSetupError(message: "build-test-modules.sh failed: \(result.stderr)\(result.stdout)")
        }
    }

    /// The path of the module built from `NAME.c`; skips the test when the
    /// toolchain is missing (fails it when tools are required).
    public static func path(_ name: String) throws -> String {
        try built.get()
        return directory.appendingPathComponent("\(name).wasm").path
    }

    /// The module built from `NAME.c`, as bytes.
    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try path(name))))
    }
}
