import Foundation

/// Dispatches `tern COMMAND ARGS...` to the command named by the first word.
enum CommandLineTool {
    static let version = "0.1.0"

    /// Every command, in the order `tern help` lists them. A new command is
    /// one file defining a `Command` and one entry here.
    static let commands: [Command] = [.run, .inspect, .spectest, .serve, .deploy, .ls, .rm, .invoke, .help]

    static func command(named name: String) -> Command? {
        commands.first { $0.name == name }
    }

    /// What `tern help` prints: the usage and the list of commands.
    static var overview: String {
        let width = commands.map(\.name.count).max() ?? 0
        let list = commands.map { "  " + $0.name.padding(toLength: width + 3, withPad: " ", startingAt: 0) + $0.summary }
        return """
            tern \(version): a WebAssembly function runtime

            usage: tern COMMAND [ARGS...]
                   tern help COMMAND    show the help of one command
                   tern --version

            commands:
            \(list.joined(separator: "\n"))
            """
    }

    /// Runs the command line and returns the process's exit status.
    static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first else {
            printError(overview)
            return ExitStatus.usage
        }
        switch first {
        case "--help", "-h":
            print(overview)
            return ExitStatus.success
        case "--version", "-V":
            print("tern \(version)")
            return ExitStatus.success
        default:
            guard let command = command(named: first) else {
                printError("error: unknown command '\(first)'\n\n\(overview)")
                return ExitStatus.usage
            }
            return run(command, arguments: Array(arguments.dropFirst()))
        }
    }

    private static func run(_ command: Command, arguments: [String]) -> Int32 {
        if let first = arguments.first, first == "--help" || first == "-h" {
            print(command.usage)
            return ExitStatus.success
        }
        do {
            return try command.run(arguments)
        } catch {
            switch error {
            case .usage(let message):
                let usageLine = command.usage.prefix { $0 != "\n" }
                printError("error: \(message)\n\(usageLine)\nrun 'tern help \(command.name)' for more")
                return ExitStatus.usage
            case .failure(let message):
                printError(message)
                return ExitStatus.failure
            }
        }
    }
}

/// Exit statuses shared by all commands.
enum ExitStatus {
    static let success: Int32 = 0
    /// The command ran and failed (bad module, trap, failed tests...).
    static let failure: Int32 = 1
    /// The command line itself is wrong.
    static let usage: Int32 = 2
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
