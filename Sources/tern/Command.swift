/// One `tern` subcommand.
struct Command: Sendable {
    /// The first word of the command line.
    let name: String
    /// One line for `tern help`.
    let summary: String
    /// The full help text (`tern help NAME`, `tern NAME --help`).
    let usage: String
    /// Runs the command with the words after its name; returns the exit status.
    let run: @Sendable ([String]) throws(CommandLineError) -> Int32
}

/// Why a command stopped without doing its work.
enum CommandLineError: Error, Equatable {
    /// The command line is wrong; the message says how (exit status 2,
    /// followed by the command's usage line).
    case usage(String)
    /// The command failed; the message is printed as is (exit status 1).
    case failure(String)
}
