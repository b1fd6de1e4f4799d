import Foundation

/// A finished program's exit status and output.
public struct ProcessOutput: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

extension TestEnvironment {
    /// How long a program run by `runProcess` may take by default before the
    /// test fails: a bound against hangs, not a timing assertion.
    public static let processTimeout = Duration.seconds(60)

    /// The built `tern` binary: `$TERN_BINARY`, or the one built beside the
    /// tests; unavailable (see `unavailable(_:)`) when it is not there.
    public static func ternBinary() throws -> URL {
        let path = ProcessInfo.processInfo.environment["TERN_BINARY"]
            ?? Bundle.main.bundleURL.appendingPathComponent("tern").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw unavailable("the tern binary at \(path) (build it, or set TERN_BINARY)")
        }
        return URL(fileURLWithPath: path)
    }
}

/// Runs `executable` to completion with standard input empty and its output
/// collected in files (so that neither stream can fill up and block it).
/// Throws `TestSetupError` (after terminating it) when it takes longer than
/// `timeout`.
public func runProcess(
    _ executable: URL, _ arguments: [String], timeout: Duration = TestEnvironment.processTimeout
) throws -> ProcessOutput {
    let outputDirectory = try TemporaryDirectory()
    let stdoutURL = outputDirectory.url.appendingPathComponent("stdout")
    let stderrURL = outputDirectory.url.appendingPathComponent("stderr")
    try Data().write(to: stdoutURL)
    try Data().write(to: stderrURL)
    let stdout = try FileHandle(forWritingTo: stdoutURL)
    let stderr = try FileHandle(forWritingTo: stderrURL)
    defer {
        try? stdout.close()
        try? stderr.close()
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = stdout
    process.standardError = stderr
    // Not `waitUntilExit()`: on Linux it polls a run loop and costs about
    // 50 ms per process.
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let milliseconds = Int(timeout / .milliseconds(1))
    guard exited.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else {
        process.terminate()
        _ = exited.wait(timeout: .now() + .seconds(5))
        throw TestSetupError(message: "\(executable.path) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
    }
    return ProcessOutput(
        status: process.terminationStatus,
        stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
        stderr: try String(contentsOf: stderrURL, encoding: .utf8))
}

/// Runs the built `tern` binary (`TestEnvironment.ternBinary()`) to completion.
public func tern(_ arguments: [String], timeout: Duration = TestEnvironment.processTimeout) throws -> ProcessOutput {
    try runProcess(try TestEnvironment.ternBinary(), arguments, timeout: timeout)
}
