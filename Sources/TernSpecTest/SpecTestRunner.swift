import Foundation
import TernEngine

/// Runs the scripts that `wast2json` makes from the WebAssembly spec tests,
/// counting like wabt's `spectest-interp`: every command except `register`
/// is one test (modules, actions and assertions alike), and assertions on
/// the text format pass without running.
public struct SpecTestRunner {
    public var configuration: EngineConfiguration
    /// A command still running after this long is interrupted and fails.
    public var commandTimeLimit: Duration
    /// Receives one line per call of a `spectest.print*` host function.
    public var hostOutput: @Sendable (String) -> Void

    public init(
        configuration: EngineConfiguration = EngineConfiguration(),
        commandTimeLimit: Duration = .seconds(60),
        hostOutput: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.commandTimeLimit = commandTimeLimit
        self.hostOutput = hostOutput
    }

    /// Runs every command of one script with a fresh engine and store.
    /// Never throws: an unreadable script is one failure.
    public func run(jsonFile: URL) -> FileResult {
        let script: SpecScript
        do {
            script = try JSONDecoder().decode(SpecScript.self, from: Data(contentsOf: jsonFile))
        } catch {
            return FileResult(passed: 0, failed: 1, failures: [.init(line: 0, command: "script", reason: "cannot read \(jsonFile.path): \(error)")])
        }
        let directory = jsonFile.deletingLastPathComponent()
        let session: SpecTestSession
        do {
            session = try SpecTestSession(directory: directory, configuration: configuration, hostOutput: hostOutput)
        } catch {
            let reason = "cannot create the spectest host module: \(error)"
            return FileResult(passed: 0, failed: script.commands.filter(\.countsAsTest).count, failures: [.init(line: 0, command: "script", reason: reason)])
        }
        return run(script.commands, in: session)
    }

    private func run(_ commands: [SpecCommand], in session: SpecTestSession) -> FileResult {
        let watchdog = CommandWatchdog(limit: commandTimeLimit, interruptHandle: session.store.interruptHandle)
        var result = FileResult(passed: 0, failed: 0, failures: [])
        for command in commands {
            watchdog.commandStarting()
            do throws(CommandFailure) {
                try session.execute(command)
                if command.countsAsTest { result.passed += 1 }
            } catch {
                result.failed += 1
                result.failures.append(.init(line: command.line, command: command.type, reason: error.reason))
            }
        }
        return result
    }
}

/// The outcome of one script.
public struct FileResult: Equatable, Sendable {
    public var passed: Int
    public var failed: Int
    public var failures: [Failure]

    public init(passed: Int, failed: Int, failures: [Failure]) {
        self.passed = passed
        self.failed = failed
        self.failures = failures
    }

    /// One failed command: where it is in the `.wast` and why it failed.
    public struct Failure: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        /// The command type, e.g. `assert_return`.
        public var command: String
        public var reason: String

        public init(line: Int, command: String, reason: String) {
            self.line = line
            self.command = command
            self.reason = reason
        }

        public var description: String { "line \(line): \(command): \(reason)" }
    }
}
