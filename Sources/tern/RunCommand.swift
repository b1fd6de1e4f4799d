import Foundation
import TernEngine
import TernWASI

extension Command {
    static let run = Command(
        name: "run",
        summary: "Run a module's WASI _start, or call one of its exports",
        usage: """
            usage: tern run [OPTIONS] FILE.wasm [--invoke NAME] [ARGS...]

            Without --invoke, runs the WASI command's _start with FILE and ARGS as
            its argv; its proc_exit code is the exit status. With --invoke NAME,
            runs the module's _initialize if it has one (a reactor), then calls
            the exported function NAME with ARGS converted to its parameter
            types, and prints each result on its own line.

            Arguments and results: integers in decimal (signed or unsigned) or
            0x hex; floats in decimal, inf, -inf, nan or nan:0xPAYLOAD;
            references as null (printed also as ref.func, ref.extern N).

            options (before FILE; --invoke may also directly follow FILE):
            \(RunSandboxOptions.helpText)

            A trap exits with status 1 and prints 'trap: KIND' and its backtrace on
            stderr; a module that cannot run exits with 1 and one line on stderr
            (malformed, invalid, unlinkable, error); a wrong command line exits
            with 2.
            """,
        run: { arguments throws(CommandLineError) in
            try ModuleRunner(options: try RunOptions.parse(arguments)).run()
        }
    )
}

/// Compiles one module and runs it in the WASI sandbox as `RunOptions` say,
/// with the process's stdio as the guest's.
struct ModuleRunner {
    let options: RunOptions

    /// Backtrace frames printed for a trap: deep recursion would print
    /// thousands of identical lines.
    static let backtraceFramesShown = 20

    func run() throws(CommandLineError) -> Int32 {
        let engine = Engine()
        let bytes = try readModule()
        let module = try reportingFailure { () throws(CompileError) in try engine.compile(bytes) }
        let outcome = runCommand(
            engine: engine, module: module, options: options.sandbox,
            arguments: [options.modulePath] + options.guestArguments,
            stdin: FileDescriptorSource.standardInput,
            stdout: FileDescriptorSink.standardOutput, stderr: FileDescriptorSink.standardError)
        switch outcome {
        case .exited:
            break
        case .returned(let results):
            for result in results { print(ValueText.format(result)) }
        case .trapped(let trap):
            printError(Self.report(of: trap))
        case .failed(let failure):
            throw .failure(failure.description)
        }
        return outcome.exitStatus
    }

    private func readModule() throws(CommandLineError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: options.modulePath) else {
            throw .failure("error: cannot read \(options.modulePath)")
        }
        return [UInt8](data)
    }

    /// `trap: KIND` and the innermost frames of the backtrace, then how
    /// many more there are.
    static func report(of trap: Trap) -> String {
        var shown = trap
        shown.backtrace = Array(trap.backtrace.prefix(backtraceFramesShown))
        let hidden = trap.backtrace.count - shown.backtrace.count
        return hidden > 0 ? shown.description + "\n  ... \(hidden) more frames" : shown.description
    }
}

/// Runs `body`, turning its error into a failure printed as the error describes itself.
func reportingFailure<T, E: Error & CustomStringConvertible>(_ body: () throws(E) -> T) throws(CommandLineError) -> T {
    do {
        return try body()
    } catch {
        throw .failure(error.description)
    }
}
