import Foundation
import XCTest

/// Where the tests find shared data and external tools.
public enum TestEnvironment {
    /// The repository root, derived from this file's location
    /// (`<repo>/Sources/TernTestSupport/TestEnvironment.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared data directory (benchmark kernels, spec testsuite):
    /// `TERN_SHARED_DIR`, or `<repo>/../shared`.
    public static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["TERN_SHARED_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The spec testsuite's `.wast` files: `TERN_SPEC_SUITE` (as for
    /// `scripts/spectest.sh`), or `<shared>/wasm-spec-testsuite`.
    public static var specTestsuiteDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["TERN_SPEC_SUITE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return sharedDirectory.appendingPathComponent("wasm-spec-testsuite")
    }

    /// CI sets `TERN_REQUIRE_TOOLS=1`: missing tools or data then fail the
    /// test instead of skipping it, so a broken CI image cannot pass silently.
    public static var toolsRequired: Bool {
        ProcessInfo.processInfo.environment["TERN_REQUIRE_TOOLS"] == "1"
    }

    /// Skips the current test (or fails it, when tools are required) because
    /// `what` is unavailable.
    public static func unavailable(_ what: String) -> Error {
        if toolsRequired {
            return TestSetupError(message: "\(what) is unavailable and TERN_REQUIRE_TOOLS=1")
        }
        return XCTSkip("\(what) is unavailable")
    }

    /// The absolute path of `name` on `PATH`.
    public static func tool(_ name: String) throws -> URL {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw unavailable("the tool \(name)")
    }

    /// The benchmark kernels (`<shared>/bench/kernels/*.wasm`), sorted by
    /// name; empty when they are missing, unless tools are required.
    public static func benchmarkKernels() throws -> [[UInt8]] {
        let directory = sharedDirectory.appendingPathComponent("bench/kernels")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let kernels = try names.filter { $0.hasSuffix(".wasm") }.sorted().map { name in
            [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        if kernels.isEmpty && toolsRequired {
            throw TestSetupError(message: "no benchmark kernels in \(directory.path) and TERN_REQUIRE_TOOLS=1")
        }
        return kernels
    }
}

/// The test's setup went wrong (a tool failed, data is missing): the test
/// fails with `message`.
public struct TestSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}

/// One command of a `wast2json` script, reduced to what the decoder tests use.
public struct WastCommand {
    public var type: String
    public var line: Int
    /// The module file, for commands that carry one.
    public var moduleFile: URL?
    /// `binary` or `text` for assert_malformed/assert_invalid modules.
    public var moduleType: String?
    /// The expected message of an assertion.
    public var text: String?
}

/// Converts `.wast` scripts to JSON command lists and binary modules.
public enum Wast2Json {
    public static func convert(_ wastFile: URL, into directory: URL, options: [String] = []) throws -> [WastCommand] {
        let tool = try TestEnvironment.tool("wast2json")
        let jsonFile = directory.appendingPathComponent(wastFile.deletingPathExtension().lastPathComponent + ".json")
        // `runProcess` waits with a termination handler, not `waitUntilExit()`:
        // on Linux that polls a run loop and costs about 50 ms per process,
        // which adds up over the spec testsuite.
        let result = try runProcess(tool, options + [wastFile.path, "-o", jsonFile.path])
        guard result.status == 0 else {
            throw TestSetupError(message: "wast2json \(wastFile.lastPathComponent) failed: " + result.stderr)
        }
        return try commands(in: jsonFile)
    }

    /// Converts a script given as text.
    public static func convert(
        source: String, named name: String, into directory: URL, options: [String] = []
    ) throws -> [WastCommand] {
        let wastFile = directory.appendingPathComponent(name + ".wast")
        try source.write(to: wastFile, atomically: true, encoding: .utf8)
        return try convert(wastFile, into: directory, options: options)
    }

    private static func commands(in jsonFile: URL) throws -> [WastCommand] {
        let data = try Data(contentsOf: jsonFile)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["commands"] as? [[String: Any]]
        else {
            throw TestSetupError(message: "unexpected JSON in \(jsonFile.path)")
        }
        let directory = jsonFile.deletingLastPathComponent()
        return list.map { command in
            WastCommand(
                type: command["type"] as? String ?? "",
                line: command["line"] as? Int ?? 0,
                moduleFile: (command["filename"] as? String).map { directory.appendingPathComponent($0) },
                moduleType: command["module_type"] as? String,
                text: command["text"] as? String)
        }
    }
}

extension WastCommand {
    public func moduleBytes() throws -> [UInt8] {
        guard let moduleFile else { throw TestSetupError(message: "line \(line): no module file") }
        return [UInt8](try Data(contentsOf: moduleFile))
    }
}
